//! What runs beside the window or `serve`: the outbox worker and the
//! verification endpoint, started from the settings and restarted when they change.

use crate::store::Location;

use crate::domain::{Clock, Settings};
use crate::verify::{Endpoint, start_endpoint};

use super::outbox_worker::{OutboxWorker, WorkerHandle, WorkerOptions};

/// The running worker and endpoint.
pub struct Services {
    register: Location,
    clock: Clock,
    worker: Option<WorkerHandle>,
    endpoint: Option<Endpoint>,
    endpoint_settings: Option<(bool, String)>,
    /// Why a part is not running, for the window to say.
    pub problems: Vec<String>,
}

impl Services {
    /// Starts the worker, and the endpoint if `with_endpoint` and the settings enable it.
    pub fn start(
        register: &Location,
        clock: Clock,
        settings: &Settings,
        with_endpoint: bool,
    ) -> Self {
        let mut services = Self {
            register: register.clone(),
            clock: clock.clone(),
            worker: None,
            endpoint: None,
            endpoint_settings: None,
            problems: Vec::new(),
        };
        match OutboxWorker::open(register, clock, WorkerOptions::default()).map(OutboxWorker::spawn)
        {
            Ok(Ok(handle)) => services.worker = Some(handle),
            Ok(Err(error)) => services
                .problems
                .push(format!("The outbox worker did not start: {error}")),
            Err(error) => services
                .problems
                .push(format!("The outbox worker did not start: {error}")),
        }
        if with_endpoint {
            services.apply(settings);
        }
        services
    }

    /// Starts, stops or moves the endpoint to match the settings.
    pub fn apply(&mut self, settings: &Settings) {
        let wanted = (settings.endpoint_enabled, settings.bind_address.clone());
        if self.endpoint_settings.as_ref() == Some(&wanted) {
            return;
        }
        if let Some(endpoint) = self.endpoint.take() {
            endpoint.stop();
        }
        self.problems
            .retain(|p| !p.contains("verification endpoint"));
        if settings.endpoint_enabled {
            match start_endpoint(&self.register, &settings.bind_address, self.clock.clone()) {
                Ok(endpoint) => {
                    if let Some(worker) = &self.worker {
                        endpoint.watch_worker(worker.liveness());
                    }
                    self.endpoint = Some(endpoint);
                }
                Err(error) => self.problems.push(error.to_string()),
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
