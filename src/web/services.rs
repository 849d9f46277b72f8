//! What runs beside the window or `serve`: the outbox worker and the
//! verification endpoint, started from the settings and restarted when they change.

use crate::app::Location;

use super::server::{Endpoint, start_endpoint};
use crate::domain::{Clock, DeliveredBy, Settings};

use crate::app::outbox_worker::{OutboxWorker, WorkerHandle, WorkerOptions};

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
    endpoint: Option<Endpoint>,
    endpoint_settings: Option<(bool, String)>,
    /// Why the outbox worker is not running, while it is not.
    worker_problem: Option<String>,
    /// Why the endpoint is not running, while it is not.
    endpoint_problem: Option<String>,
}

impl Services {
    /// Starts the worker (for a window only when the register's
    /// `delivered_by` lets windows deliver) and the endpoint when the
    /// settings enable it.
    pub fn start(register: &Location, clock: Clock, settings: &Settings, runner: Runner) -> Self {
        let mut services = Self {
            register: register.clone(),
            runner,
            clock,
            worker: None,
            endpoint: None,
            endpoint_settings: None,
            worker_problem: None,
            endpoint_problem: None,
        };
        services.apply(settings);
        services
    }

    /// True when this runner delivers queued email under these settings.
    pub fn delivers(runner: Runner, settings: &Settings) -> bool {
        runner == Runner::Serve || settings.delivered_by == DeliveredBy::EveryWindow
    }

    /// Why a part is not running, in the window's (or the CLI's) language,
    /// for as long as it is not: each part's problem is kept apart and
    /// replaced when the settings are applied again.
    pub fn problems(&self) -> Vec<String> {
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
                self.worker_problem =
                    Some(t!("services-worker-not-started", error = error.to_string()));
            }
            Err(error) => {
                self.worker_problem =
                    Some(t!("services-worker-not-started", error = error.to_string()));
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
        if let Some(endpoint) = self.endpoint.take() {
            endpoint.stop();
        }
        self.endpoint_problem = None;
        if settings.endpoint_enabled {
            match start_endpoint(&self.register, &settings.bind_address, self.clock.clone()) {
                Ok(endpoint) => {
                    if let Some(worker) = &self.worker {
                        endpoint.watch_worker(worker.health());
                    }
                    self.endpoint = Some(endpoint);
                }
                Err(error) => self.endpoint_problem = Some(error.to_string()),
            }
        }
        self.endpoint_settings = Some(wanted);
        self.wake();
    }

    /// The endpoint's address, when it runs.
    pub fn endpoint_address(&self) -> Option<std::net::SocketAddr> {
        self.endpoint.as_ref().map(Endpoint::address)
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
