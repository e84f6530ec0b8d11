//! The environment the window runs on: its service, the tasks that serve it (the background loop
//! and the forwarding of its notices to the window), and switching to another known environment.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use meshdesk_contract::{self as c, events};
use meshdesk_service::{Meshdesk, Notice, SandboxPorts};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};

/// A service and the tasks serving it.
pub struct Served {
    pub service: Result<Arc<Meshdesk>, String>,
    tasks: Vec<JoinHandle<()>>,
}

impl Served {
    pub fn new(service: Result<Arc<Meshdesk>, String>) -> Self {
        Self { service, tasks: Vec::new() }
    }

    /// Starts serving: notices become window events (access ones a desktop notification too),
    /// and the background loop connects and syncs.
    pub fn start(&mut self, handle: &AppHandle) {
        let Ok(service) = &self.service else { return };
        let mut notices = service.subscribe();
        let handle = handle.clone();
        self.tasks.push(tauri::async_runtime::spawn(async move {
            while let Ok(n) = notices.recv().await {
                let name = match n {
                    Notice::CatalogChanged => events::CATALOG_CHANGED,
                    Notice::StatusChanged => events::STATUS_CHANGED,
                    Notice::Access { title, body } | Notice::Change { title, body } => {
                        // A desktop notification; without a notification service (a bare X
                        // server) it is logged instead.
                        use tauri_plugin_notification::NotificationExt;
                        tracing::info!("notification: {title}: {body}");
                        if let Err(e) = handle.notification().builder().title(&title).body(&body).show() {
                            tracing::warn!("desktop notification not shown: {e}");
                        }
                        events::ACCESS_CHANGED
                    }
                };
                if let Err(e) = handle.emit(name, ()) {
                    tracing::warn!("emitting {name}: {e}");
                }
            }
        }));
        self.tasks.push(tauri::async_runtime::spawn(service.clone().run(Duration::from_secs(2))));
    }

    /// Stops the tasks; the service is shut down by whoever took it.
    fn stop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
    }
}

/// Switches the window to `choice`: the current service checks it is a known, usable environment
/// other than itself; the new one is opened (offline, nothing contacted yet), the old one stopped
/// and shut down (so an embedded sandbox lets go of its folder), then the new one served and
/// the window told to read everything again.
pub async fn switch(
    handle: &AppHandle,
    served: &std::sync::Mutex<Served>,
    data_dir: &PathBuf,
    choice: &c::EnvironmentChoice,
) -> Result<Vec<c::KnownEnvironment>, c::IpcError> {
    let current = served.lock().expect("served lock").service.clone().map_err(c::IpcError::new)?;
    let source = current.switch_target(choice).await?;
    tracing::info!("switching the window to {source:?}");
    let next = Meshdesk::open(data_dir, source, SandboxPorts::default()).await?;
    {
        let mut s = served.lock().expect("served lock");
        s.stop();
    }
    current.shutdown().await;
    let list = next.environments().await?;
    {
        let mut s = served.lock().expect("served lock");
        *s = Served::new(Ok(next));
        s.start(handle);
    }
    for name in [events::STATUS_CHANGED, events::CATALOG_CHANGED] {
        if let Err(e) = handle.emit(name, ()) {
            tracing::warn!("emitting {name}: {e}");
        }
    }
    Ok(list)
}
