//! Writing to the governance log: checked against the trust rules, signed, queued in the
//! cache's outbox, and sent in order; writes the cluster refuses for good are parked.

use std::time::Duration;

use meshdesk_contract as c;
use meshdesk_domain::trust::Signer;
use meshdesk_domain::{Envelope, EventBody};
use meshdesk_kafka::Producer;

use crate::{Connection, Meshdesk, Notice, ServiceError, new_event_id, now_ms, outbox_backoff_ms, own_signer};

impl Meshdesk {
    /// Writes a governance event as this desktop's principal: checked against the same trust
    /// rules every fold applies (so nothing is queued that would be refused, and the user sees
    /// why), signed, and queued in the cache's outbox at once (so nothing is lost if the cluster
    /// is away or the app closes); [`Meshdesk::flush_outbox`] sends it in order. Returns the
    /// event's id.
    pub async fn publish(&self, body: &EventBody) -> Result<String, ServiceError> {
        let conn = self.connection().await?;
        self.publish_signed(&conn, own_signer(&conn)?, body).await
    }

    /// [`Meshdesk::publish`] under a given event id (a retried step queues the same event once).
    pub(crate) async fn publish_as(&self, body: &EventBody, event_id: &str) -> Result<String, ServiceError> {
        let conn = self.connection().await?;
        self.publish_signed_as(&conn, own_signer(&conn)?, body, event_id.to_owned()).await
    }

    /// This cache's random value for event ids that must be the same on every retry here and
    /// unpredictable to other members (made once, kept in the cache).
    pub(crate) async fn event_nonce(&self) -> Result<String, ServiceError> {
        if let Some(n) = self.store.identity("event_id_nonce").await? {
            return Ok(n);
        }
        let n = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        self.store.set_identity("event_id_nonce", &n).await?;
        Ok(n)
    }

    /// The environment's trust root bound to its governance identity: the environment file's, or
    /// else the log's topic and the cluster's id (known from the first connection on, kept in the
    /// cache). Every event is signed for it and every fold checks it.
    pub(crate) async fn bound_root(
        &self,
        conn: &Connection,
    ) -> Result<meshdesk_domain::trust::TrustRoot, ServiceError> {
        if !conn.trust.environment.is_empty() {
            return Ok(conn.trust.clone());
        }
        let cluster = match self.store.identity("cluster_id").await? {
            Some(c) => c,
            // Not synced yet: the cluster says who it is (events wait for it if it is away).
            None => {
                conn.admin()?
                    .describe_cluster()
                    .await
                    .map_err(|e| {
                        ServiceError::NotConnected(format!(
                            "governance events are bound to the cluster, which has not answered yet: {e}"
                        ))
                    })?
                    .cluster_id
            }
        };
        let environment = meshdesk_domain::trust::environment_of(&cluster, &conn.governance_topic);
        let unbound_before = conn.trust.accept_unbound_before_offset;
        conn.trust.clone().bound_to(&environment, unbound_before).map_err(ServiceError::from)
    }

    /// Sends what is queued and folds the log, so what follows sees it; offline (or on a failure,
    /// which the status reports) what is queued waits in the outbox and the cache is as it was.
    pub(crate) async fn settle(&self) {
        let _ = self.flush_outbox().await;
        let _ = self.sync().await;
    }

    /// Sends what waits, then folds once unless this desktop's event `event_id` is in the cache
    /// already (a background fold may have got there first): the one wait an action needs for
    /// its own event. The flush acknowledges the event, so one fold to the log's end reaches it.
    /// Offline, it returns at once (the event waits in the outbox).
    pub(crate) async fn await_folded(&self, event_id: &str) {
        if self.flush_outbox().await.is_err() {
            return;
        }
        if matches!(self.store.event_folded(event_id).await, Ok(false)) {
            let _ = self.sync().await;
        }
    }

    /// Why this desktop may not write `body` now (no key, or the trust rules refuse), if so.
    pub(crate) async fn refusal(&self, body: &EventBody) -> Option<String> {
        let checked = async {
            let conn = self.connection().await?;
            let root = self.bound_root(&conn).await?;
            self.check_signed(&conn, &root, own_signer(&conn)?, body).await
        };
        checked.await.err().map(|e| e.to_string())
    }

    /// Whether the trust rules every fold applies (under `root`, bound to this environment) let
    /// `signer` make `body` now.
    async fn check_signed(
        &self,
        conn: &Connection,
        root: &meshdesk_domain::trust::TrustRoot,
        signer: &Signer,
        body: &EventBody,
    ) -> Result<(), ServiceError> {
        let key = signer.public_key().id();
        match self.store.authorize(root, &conn.governance_topic, &key, signer.principal().as_str(), body).await? {
            Ok(()) => Ok(()),
            Err(why) => Err(ServiceError::Refused(why)),
        }
    }

    /// [`Meshdesk::publish`] with a given key (the sandbox's reconciler signs its own outcomes).
    pub(crate) async fn publish_signed(
        &self,
        conn: &Connection,
        signer: &Signer,
        body: &EventBody,
    ) -> Result<String, ServiceError> {
        self.publish_signed_as(conn, signer, body, new_event_id()).await
    }

    async fn publish_signed_as(
        &self,
        conn: &Connection,
        signer: &Signer,
        body: &EventBody,
        event_id: String,
    ) -> Result<String, ServiceError> {
        // One bound root for the check and the signature (it may have to ask the cluster).
        let root = self.bound_root(conn).await?;
        self.check_signed(conn, &root, signer, body).await?;
        let mut env = Envelope::new(event_id, signer.principal().as_str(), now_ms(), body);
        signer.sign_for(&mut env, &root.environment);
        let size = env.to_bytes().len();
        if size > meshdesk_domain::MAX_EVENT_BYTES {
            return Err(ServiceError::Invalid(format!(
                "this change makes a governance event of {} KiB; the log takes events up to {} KiB (shorten descriptions, docs or examples)",
                size / 1024,
                meshdesk_domain::MAX_EVENT_BYTES / 1024
            )));
        }
        self.store.enqueue(&conn.governance_topic, &env).await?;
        self.notify(Notice::StatusChanged);
        self.log.wake.notify_one();
        Ok(env.id)
    }

    /// Settles a write the cluster refused for good: back in the queue (`retry`, after its cause
    /// was fixed, e.g. the topic's size limit raised) or discarded for good.
    pub async fn settle_parked_write(&self, a: &c::ParkedAction) -> Result<(), ServiceError> {
        let done = if a.retry {
            self.store.unpark(&a.event_id).await?
        } else {
            self.store.discard_parked(&a.event_id).await?
        };
        if !done {
            return Err(ServiceError::Invalid(format!("no refused write {} is waiting", a.event_id)));
        }
        self.notify(Notice::StatusChanged);
        if a.retry {
            self.log.wake.notify_one();
        }
        Ok(())
    }

    /// Sends pending outbox entries in order, one acknowledged write at a time, until none is
    /// left or one fails (then it is retried later with backoff and the rest wait behind it).
    /// Returns how many were sent.
    pub async fn flush_outbox(&self) -> Result<usize, ServiceError> {
        let conn = self.connection().await?;
        let _one_flusher = self.log.flush_lock.lock().await;
        self.ensure_governance_topic(&conn).await?;
        let topic = conn.governance_topic.clone();
        let mut sent = 0;
        loop {
            let batch = self.store.pending(&topic, 100).await?;
            if batch.is_empty() {
                return Ok(sent);
            }
            for entry in batch {
                let now = now_ms();
                if entry.next_attempt_at_ms > now {
                    return Ok(sent);
                }
                let mut guard = self.log.producer.lock().await;
                if guard.is_none() {
                    // A failed attempt gives up after 10 s; the entry is retried with backoff.
                    *guard = Some(Producer::with_timeout(&conn.kafka, Duration::from_secs(10))?);
                }
                let producer = guard.as_ref().expect("set above");
                // The record is dated with the event's own (signed) time, so an event queued while
                // the cluster was away still lies within the fold's allowed skew when it lands.
                let at_ms = Envelope::from_bytes(&entry.envelope).ok().map(|e| e.at_ms);
                // Partition 0, explicitly: the one partition the log is read from.
                match producer.send_to(&topic, Some(0), Some(entry.event_id.as_bytes()), &entry.envelope, at_ms).await {
                    Ok((_, offset)) => {
                        self.store.mark_sent(entry.seq, offset).await?;
                        sent += 1;
                        self.notify(Notice::StatusChanged);
                    }
                    Err(meshdesk_kafka::KafkaError::Rejected(why)) => {
                        // Sending it again cannot succeed: parked with the reason for its author,
                        // and the writes behind it go on.
                        tracing::warn!("the cluster refuses event {} for good: {why}", entry.event_id);
                        self.store.park(entry.seq, &why).await?;
                        self.notify(Notice::StatusChanged);
                    }
                    Err(e) => {
                        *guard = None;
                        let next = now + outbox_backoff_ms(entry.attempts);
                        self.store.mark_failed(entry.seq, &e.to_string(), next).await?;
                        self.notify(Notice::StatusChanged);
                        return Err(e.into());
                    }
                }
            }
        }
    }
}
