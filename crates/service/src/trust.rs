//! Identity and trust: this desktop's signing key (created in the OS keyring, or in the
//! sandbox's own folder), enrollment requests, and the admins' endorsements, rejections and
//! revocations. Every event goes through [`Meshdesk::publish`], so the same rules that every
//! fold applies are checked before anything is queued.

use meshdesk_contract as c;
use meshdesk_domain::events::Outcome;
use meshdesk_domain::trust::{KeyState, Role, fingerprint};
use meshdesk_domain::{EventBody, Principal};

use crate::{ConnState, EnvSource, Meshdesk, ServiceError, invalid, keyring};

impl Meshdesk {
    /// Stores a credential in the OS keyring for an environment file to refer to; returns where.
    pub fn store_secret(&self, f: &c::SecretForm) -> Result<String, ServiceError> {
        keyring::secret_set(f.name.trim(), &f.value).map_err(invalid)?;
        Ok(keyring::backend().to_owned())
    }

    /// What is wrong with the environment file or this desktop's identity, for people.
    pub async fn warnings(&self) -> Vec<String> {
        match &*self.conn.read().await {
            ConnState::Ready(c) => c.warnings.clone(),
            _ => vec![],
        }
    }

    /// Settings' identity: the principal, its key and where the log says it stands.
    pub async fn identity(&self) -> Result<c::Identity, ServiceError> {
        let conn = self.connection().await?;
        let key_store = match &self.source {
            EnvSource::Sandbox { dir } => {
                format!("the sandbox's own folder ({}), sandbox-only", dir.join("trust").display())
            }
            EnvSource::File(_) => keyring::backend().to_owned(),
        };
        let mut out = c::Identity {
            principal: conn.principal.clone(),
            key: None,
            fingerprint: None,
            standing: c::KeyStanding::NoKey,
            roles: vec![],
            is_admin: false,
            key_store,
            warnings: conn.warnings.clone(),
        };
        let Some(signer) = &conn.signer else { return Ok(out) };
        let key = signer.public_key().id();
        out.fingerprint = Some(fingerprint(&key));
        out.key = Some(key.clone());
        if conn.trust.is_admin_key(&key) {
            (out.standing, out.is_admin, out.roles) = (c::KeyStanding::Admin, true, vec![Role::Admin.as_str().into()]);
            return Ok(out);
        }
        match self.store.key_record(&key).await? {
            None => out.standing = c::KeyStanding::NotEnrolled,
            Some(r) => {
                out.standing = match r.state {
                    KeyState::Pending => c::KeyStanding::Pending,
                    KeyState::Endorsed => c::KeyStanding::Endorsed,
                    KeyState::Rejected => c::KeyStanding::Rejected,
                    KeyState::Revoked => c::KeyStanding::Revoked,
                };
                let endorsed = r.state == KeyState::Endorsed;
                out.is_admin = endorsed && r.roles.contains(&Role::Admin);
                out.roles = if endorsed { r.roles.iter().map(|r| r.as_str().to_owned()).collect() } else { vec![] };
            }
        }
        Ok(out)
    }

    /// Creates this desktop's signing key: in the OS keyring for a cluster, in the sandbox's
    /// folder for the sandbox. Refused when there is one already.
    pub async fn create_my_key(&self) -> Result<c::Identity, ServiceError> {
        {
            let mut guard = self.conn.write().await;
            let ConnState::Ready(conn) = &mut *guard else {
                return Err(ServiceError::NotConnected("not connected yet".into()));
            };
            if conn.signer.is_some() {
                return Err(invalid(format!("{} has a signing key already", conn.principal)));
            }
            let principal = Principal::parse(&conn.principal).map_err(invalid)?;
            let signer = match &self.source {
                EnvSource::File(_) => keyring::create_signing_key(&principal).map_err(invalid)?,
                EnvSource::Sandbox { .. } => {
                    let sb = self.sandbox.lock().await;
                    let sb =
                        sb.as_ref().ok_or_else(|| ServiceError::NotConnected("the sandbox is not running".into()))?;
                    sb.signer(&principal).map_err(|e| invalid(format!("{e:#}")))?
                }
            };
            conn.signer = Some(signer);
        }
        self.identity().await
    }

    /// Asks the governance admins to endorse this desktop's key (an event signed by that key).
    pub async fn request_enrollment(&self, req: &c::EnrollmentRequest) -> Result<c::Identity, ServiceError> {
        let conn = self.connection().await?;
        let signer = conn.signer.as_ref().ok_or_else(|| invalid("create your key first"))?;
        let note = req.note.trim();
        if note.chars().count() > 500 {
            return Err(invalid("keep the note under 500 characters"));
        }
        let body = EventBody::KeyEnrollmentRequested {
            principal: signer.principal().clone(),
            key: signer.public_key().id(),
            note: note.to_owned(),
        };
        let id = self.publish(&body).await?;
        self.await_folded(&id).await;
        self.identity().await
    }

    /// The Trust page: the environment's pinned admins and every key the log mentions.
    /// How many of the log's records came to each outcome.
    pub async fn audit_summary(&self) -> Result<c::AuditSummary, ServiceError> {
        let log = self.governance_topic_now(self.connection().await.ok().as_ref());
        let counts = self.store.outcome_counts(&log).await?;
        Ok(c::AuditSummary {
            counts: Outcome::ALL
                .into_iter()
                .map(|o| (o, counts.iter().find(|(k, _)| *k == o).map_or(0, |(_, n)| *n)))
                .collect(),
        })
    }

    pub async fn trust_overview(&self) -> Result<c::TrustOverview, ServiceError> {
        let conn = self.connection().await?;
        let keys = self
            .store
            .trust_keys()
            .await?
            .into_iter()
            .map(|k| c::TrustKey {
                fingerprint: fingerprint(&k.key),
                key: k.key,
                principal: k.principal,
                state: k.state,
                roles: k.roles,
                note: k.note,
                requested_at_ms: k.requested_at_ms,
                decided_by: k.decided_by,
                decided_at_ms: k.decided_at_ms,
            })
            .collect();
        let recent = self
            .store
            .recent_events(&conn.governance_topic, 50)
            .await?
            .into_iter()
            .map(|e| c::AuditEvent {
                offset: e.offset,
                kind: e.kind,
                actor: e.actor,
                at_ms: e.at_ms,
                outcome: e.outcome,
                note: e.note,
                signer: e.signer.as_deref().map(fingerprint),
            })
            .collect();
        Ok(c::TrustOverview { root_admins: conn.trust.admins.clone(), keys, recent })
    }

    /// An admin endorses, rejects or revokes a key, or lets a domain adopt a topic outside its
    /// namespace.
    pub async fn decide_trust(&self, action: &c::TrustAction) -> Result<String, ServiceError> {
        let body = match action {
            c::TrustAction::Endorse { principal, key, roles } => {
                let roles = roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>().map_err(invalid)?;
                EventBody::KeyEndorsed {
                    principal: Principal::parse(principal.trim()).map_err(invalid)?,
                    key: key.trim().to_owned(),
                    roles,
                }
            }
            c::TrustAction::Adopt { topic, domain, reason } => EventBody::TopicAdopted {
                topic: meshdesk_domain::TopicName::parse(topic.trim()).map_err(|e| invalid(e.to_string()))?,
                domain: meshdesk_domain::DomainId::parse(domain.trim()).map_err(|e| invalid(e.to_string()))?,
                reason: reason.trim().to_owned(),
            },
            c::TrustAction::Reject { key, reason } => {
                EventBody::EnrollmentRejected { key: key.trim().to_owned(), reason: reason.trim().to_owned() }
            }
            c::TrustAction::Revoke { key, reason, compromised_since_ms } => {
                if reason.trim().is_empty() {
                    return Err(invalid("say why the key is revoked"));
                }
                EventBody::KeyRevoked {
                    key: key.trim().to_owned(),
                    reason: reason.trim().to_owned(),
                    compromised_since_ms: *compromised_since_ms,
                }
            }
        };
        let id = self.publish(&body).await?;
        self.await_folded(&id).await;
        Ok(id)
    }
}
