//! The environment the window runs on: its service, the tasks that serve it (the background loop
//! and the forwarding of its notices to the window), and switching to another known environment.

use std::sync::Arc;
use std::time::Duration;

use meshdesk_contract::{self as c, events};
use meshdesk_service::{Meshdesk, Notice, SandboxPorts};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Emitter};

/// The window event a notice becomes.
fn window_event(n: &Notice) -> &'static str {
    match n {
        Notice::CatalogChanged => events::CATALOG_CHANGED,
        Notice::StatusChanged => events::STATUS_CHANGED,
        Notice::Access { .. } | Notice::Change { .. } => events::ACCESS_CHANGED,
    }
}

/// What the window is told.
enum Forwarded {
    Notice(Notice),
    /// Notices were missed: every window event, so the window reads everything again.
    Everything,
}

/// Hands every notice to `deliver` until the service closes the channel. When the window's side
/// fell behind (more notices than the channel holds, e.g. a long outbox flush), the missed ones
/// become one [`Forwarded::Everything`], and forwarding goes on.
async fn forward(mut notices: tokio::sync::broadcast::Receiver<Notice>, mut deliver: impl FnMut(Forwarded)) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match notices.recv().await {
            Ok(n) => deliver(Forwarded::Notice(n)),
            Err(RecvError::Lagged(missed)) => {
                tracing::info!("{missed} notices missed: the window reads everything again");
                deliver(Forwarded::Everything);
            }
            Err(RecvError::Closed) => return,
        }
    }
}

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
        let notices = service.subscribe();
        let handle = handle.clone();
        self.tasks.push(tauri::async_runtime::spawn(forward(notices, move |f| {
            let names = match f {
                Forwarded::Notice(n) => {
                    if let Notice::Access { title, body } | Notice::Change { title, body } = &n {
                        // A desktop notification; without a notification service (a bare X
                        // server) it is logged instead.
                        use tauri_plugin_notification::NotificationExt;
                        tracing::info!("notification: {title}: {body}");
                        if let Err(e) = handle.notification().builder().title(title).body(body).show() {
                            tracing::warn!("desktop notification not shown: {e}");
                        }
                    }
                    vec![window_event(&n)]
                }
                Forwarded::Everything => vec![events::CATALOG_CHANGED, events::STATUS_CHANGED, events::ACCESS_CHANGED],
            };
            for name in names {
                if let Err(e) = handle.emit(name, ()) {
                    tracing::warn!("emitting {name}: {e}");
                }
            }
        })));
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
    data_dir: &std::path::Path,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_of_notices_does_not_end_the_forwarding() {
        // Verifies that after a burst of 1,000 notices (more than the channel holds) the window's side still hears the next change: the missed ones become one refresh of each kind, and the notice after the burst is delivered.
        let (tx, rx) = tokio::sync::broadcast::channel(64);
        let delivered = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = delivered.clone();
        let forwarding = tokio::spawn(forward(rx, move |f| {
            let mut d = sink.lock().unwrap();
            match f {
                Forwarded::Notice(n) => d.push(window_event(&n)),
                Forwarded::Everything => d.push("everything"),
            }
        }));
        for _ in 0..1000 {
            tx.send(Notice::StatusChanged).unwrap();
        }
        tokio::task::yield_now().await;
        tx.send(Notice::CatalogChanged).unwrap();
        drop(tx);
        forwarding.await.unwrap();
        let got = delivered.lock().unwrap().clone();
        assert_eq!(got.last(), Some(&events::CATALOG_CHANGED), "the change after the burst arrives");
        assert!(got.contains(&"everything"), "a lag refreshes everything: {got:?}");
    }
}
