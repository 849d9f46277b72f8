//! What runs beside the window or `serve`: the outbox worker and the
//! verification endpoint, started from the settings and restarted when they
//! change. Who delivers email is decided here; the endpoint itself is the
//! `web` face's, handed in by the program's entry point as a
//! [`StartEndpoint`], so nothing here (or in the window and the CLI) names it.

use std::sync::Arc;

use crate::app::Location;
use crate::app::outbox_worker::{OutboxWorker, WorkerHandle, WorkerHealth, WorkerOptions};
use crate::domain::{Clock, DeliveredBy, Settings};

/// A running verification endpoint, as the services see it; it stops when
/// dropped.
pub trait RunningEndpoint: Send {
    /// The address it listens on (with the real port when 0 was asked for).
    fn address(&self) -> std::net::SocketAddr;
    /// Makes `/health` answer 503 while this worker cannot deliver.
    fn watch_worker(&self, health: Arc<WorkerHealth>);
}

/// Starts the endpoint over a register on a bind address, or says why it
/// could not (in the person's language). `web::start_listening` in the
/// program; the entry point hands it to the window and to `serve`.
pub type StartEndpoint = fn(&Location, &str, Clock) -> Result<Box<dyn RunningEndpoint>, String>;

/// Why a part of the services is not running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceProblem {
    /// The outbox worker could not start: the register could not be opened
    /// for it, or its thread could not be made.
    WorkerNotStarted(String),
    /// The endpoint could not start (its address is taken or not allowed).
    EndpointNotStarted(String),
}

impl std::fmt::Display for ServiceProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WorkerNotStarted(error) => {
                f.write_str(&t!("services-worker-not-started", error = error.as_str()))
            }
            Self::EndpointNotStarted(error) => f.write_str(error),
        }
    }
}

/// Who runs the services: the window or `serve`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Runner {
    /// A window: delivers unless the register says only `serve` does.
    Window,
    /// `serve`: always delivers and answers links.
    Serve,
}

/// The running worker and endpoint.
pub struct Services {
    register: Location,
    runner: Runner,
    clock: Clock,
    worker: Option<WorkerHandle>,
    start_endpoint: StartEndpoint,
    endpoint: Option<Box<dyn RunningEndpoint>>,
    endpoint_settings: Option<(bool, String)>,
    /// Why the outbox worker is not running, while it is not.
    worker_problem: Option<ServiceProblem>,
    /// Why the endpoint is not running, while it is not.
    endpoint_problem: Option<ServiceProblem>,
}

impl Services {
    /// Starts the worker (for a window only when the register's
    /// `delivered_by` lets windows deliver) and the endpoint when the
    /// settings enable it, with `start_endpoint`.
    pub fn start(
        register: &Location,
        clock: Clock,
        settings: &Settings,
        runner: Runner,
        start_endpoint: StartEndpoint,
    ) -> Self {
        let mut services = Self {
            register: register.clone(),
            runner,
            clock,
            worker: None,
            start_endpoint,
            endpoint: None,
            endpoint_settings: None,
            worker_problem: None,
            endpoint_problem: None,
        };
        services.apply(settings);
        services
    }

    /// The services of a window over a register just opened, under its
    /// settings (read with the users, or here): for the thread that opened
    /// it, since the worker opens a connection of its own and the endpoint
    /// binds its address, which a frame must not wait for.
    pub fn start_for_window(
        opened: &crate::app::OpenedRegister,
        start_endpoint: StartEndpoint,
    ) -> Self {
        let settings = opened
            .settings
            .as_deref()
            .cloned()
            .or_else(|| opened.session.load_settings().ok())
            .unwrap_or_default();
        Self::start(
            opened.session.location(),
            opened.session.clock.clone(),
            &settings,
            Runner::Window,
            start_endpoint,
        )
    }

    /// True when this runner delivers queued email under these settings.
    pub fn delivers(runner: Runner, settings: &Settings) -> bool {
        runner == Runner::Serve || settings.delivered_by == DeliveredBy::EveryWindow
    }

    /// Why a part is not running, for as long as it is not (said in the
    /// window's or the CLI's language by `Display`): each part's problem is
    /// kept apart and replaced when the settings are applied again.
    pub fn problems(&self) -> Vec<ServiceProblem> {
        [&self.worker_problem, &self.endpoint_problem]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    /// True while this program's outbox worker runs.
    pub fn is_delivering(&self) -> bool {
        self.worker.is_some()
    }

    fn apply_worker(&mut self, settings: &Settings) {
        if !Self::delivers(self.runner, settings) {
            // Dropping the worker stops it and gives its lease up.
            self.worker = None;
            self.worker_problem = None;
            return;
        }
        if self.worker.is_some() {
            return;
        }
        self.worker_problem = None;
        match OutboxWorker::open(&self.register, self.clock.clone(), WorkerOptions::default())
            .map(OutboxWorker::spawn)
        {
            Ok(Ok(handle)) => self.worker = Some(handle),
            // A login whose roles send nothing (Read only) does not deliver
            // on a register that enforces the roles: a sender's window or
            // `serve` does. Not a problem to show.
            Err(crate::app::outbox_worker::WorkerError::Store(
                crate::app::StoreError::Refused(_),
            )) => {
                tracing::info!("this database login does not deliver email: its roles send none");
            }
            Ok(Err(error)) => {
                self.worker_problem = Some(ServiceProblem::WorkerNotStarted(error.to_string()));
            }
            Err(error) => {
                self.worker_problem = Some(ServiceProblem::WorkerNotStarted(error.to_string()));
            }
        }
    }

    /// Starts, stops or moves the worker and the endpoint to match the settings.
    pub fn apply(&mut self, settings: &Settings) {
        self.apply_worker(settings);
        let wanted = (settings.endpoint_enabled, settings.bind_address.clone());
        if self.endpoint_settings.as_ref() == Some(&wanted) {
            return;
        }
        // Dropping the endpoint stops it and waits for it.
        self.endpoint = None;
        self.endpoint_problem = None;
        if settings.endpoint_enabled {
            match (self.start_endpoint)(&self.register, &settings.bind_address, self.clock.clone())
            {
                Ok(endpoint) => {
                    if let Some(worker) = &self.worker {
                        endpoint.watch_worker(worker.health());
                    }
                    self.endpoint = Some(endpoint);
                }
                Err(error) => {
                    self.endpoint_problem = Some(ServiceProblem::EndpointNotStarted(error));
                }
            }
        }
        self.endpoint_settings = Some(wanted);
        self.wake();
    }

    /// The endpoint's address, when it runs.
    pub fn endpoint_address(&self) -> Option<std::net::SocketAddr> {
        self.endpoint.as_ref().map(|endpoint| endpoint.address())
    }

    /// A function that wakes the worker from another thread.
    pub fn waker(&self) -> Box<dyn Fn() + Send + 'static> {
        match &self.worker {
            Some(worker) => worker.waker(),
            None => Box::new(|| {}),
        }
    }

    /// Makes the worker look for due messages now.
    pub fn wake(&self) {
        if let Some(worker) = &self.worker {
            worker.wake();
        }
    }
}
