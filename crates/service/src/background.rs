//! The background loop: connect (retrying a failed start), then flush the outbox, sync the
//! governance log and, in the sandbox, reconcile, every tick or at once when woken; metrics and
//! samples on a task of their own.

use std::sync::Arc;
use std::time::Duration;

use crate::{EnvSource, Meshdesk};

/// Aborts a task when dropped (the loop's sampler ends with the loop).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Meshdesk {
    /// Connects, then keeps syncing every `every`, forever. Failures are kept for
    /// [`Meshdesk::environment_status`] and retried; run it as a task and abort it to stop.
    pub async fn run(self: Arc<Self>, every: Duration) {
        // A failed start (a sandbox whose port was taken, a cluster not up yet) is retried,
        // 1 s doubling to 30 s; the status says why meanwhile.
        let mut wait = Duration::from_secs(1);
        while let Err(e) = self.connect().await {
            tracing::error!("connecting failed: {e}; retrying in {}s", wait.as_secs());
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(30));
        }
        // Metrics snapshots and samples read other topics, which may be slow (a broker that
        // lags, a large partition): they run on a task of their own, so writes and the log
        // never wait for them.
        let sampler = {
            let me = self.clone();
            tokio::spawn(async move {
                loop {
                    me.sample_watched_topics().await;
                    tokio::time::sleep(every).await;
                }
            })
        };
        let _stop_sampler = AbortOnDrop(sampler);
        loop {
            if let Err(e) = self.flush_outbox().await {
                tracing::warn!("sending pending writes failed: {e}");
            }
            match self.sync().await {
                Ok(r) if r.applied > 0 => {
                    self.announce_access_changes().await;
                    self.announce_product_changes().await;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("sync failed: {e}"),
            }
            // In the sandbox the reconciler runs inside the app: grants in force are applied,
            // expired and revoked ones removed (on a real cluster the platform team runs
            // `meshctl reconcile`).
            if matches!(self.source, EnvSource::Sandbox { .. }) {
                self.reconcile_in_app().await;
            }
            let _ = tokio::time::timeout(every, self.log.wake.notified()).await;
        }
    }
}
