//! The gateway's ACLs: kept in memory for every request's check and written to `acls.json`
//! (mode 0600) on every change, so they survive a restart of the sandbox.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use anyhow::Context;

use crate::authorizer::{Acl, AclFilter, CLUSTER, ResourceType};

pub struct AclStore {
    path: PathBuf,
    acls: RwLock<Arc<Vec<Acl>>>,
    /// Serialises changes (read, change, write the file, publish).
    write: Mutex<()>,
}

/// Why an ACL cannot be created (Kafka answers such an item with INVALID_REQUEST).
pub fn validate(a: &Acl) -> Result<(), String> {
    let Some((kind, name)) = a.principal.split_once(':') else {
        return Err(format!("the principal `{}` is not Type:name", a.principal));
    };
    if kind.is_empty() || name.is_empty() {
        return Err(format!("the principal `{}` is not Type:name", a.principal));
    }
    if a.principal.chars().any(|c| c.is_control()) || a.resource_name.chars().any(|c| c.is_control()) {
        return Err("control characters are not allowed in ACLs".into());
    }
    if a.resource_name.is_empty() && a.pattern == crate::PatternType::Literal {
        return Err("the resource name is empty".into());
    }
    if a.resource_type == ResourceType::Cluster && a.resource_name != CLUSTER {
        return Err(format!("the cluster resource is named `{CLUSTER}`"));
    }
    if a.host.is_empty() {
        return Err("the host is empty (use * for any)".into());
    }
    Ok(())
}

impl AclStore {
    pub fn open(path: PathBuf) -> anyhow::Result<Self> {
        let acls: Vec<Acl> = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| format!("reading {}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self { path, acls: RwLock::new(Arc::new(acls)), write: Mutex::new(()) })
    }

    /// The ACLs now (a cheap shared snapshot).
    pub fn snapshot(&self) -> Arc<Vec<Acl>> {
        self.acls.read().expect("acls lock").clone()
    }

    fn publish(&self, next: Vec<Acl>) -> anyhow::Result<()> {
        crate::write_private(&self.path, &serde_json::to_vec_pretty(&next)?)?;
        *self.acls.write().expect("acls lock") = Arc::new(next);
        Ok(())
    }

    /// Creates each ACL (an existing one is kept, as Kafka does); one result per item.
    pub fn create(&self, items: Vec<Result<Acl, String>>) -> Vec<Result<(), String>> {
        let _guard = self.write.lock().expect("acls write lock");
        let mut next = (*self.snapshot()).clone();
        let mut results = Vec::with_capacity(items.len());
        for item in items {
            results.push(item.and_then(|a| {
                validate(&a)?;
                if !next.contains(&a) {
                    next.push(a);
                }
                Ok(())
            }));
        }
        if let Err(e) = self.publish(next) {
            let msg = format!("the ACLs could not be saved: {e}");
            return results.into_iter().map(|r| r.and(Err(msg.clone()))).collect();
        }
        results
    }

    pub fn describe(&self, filter: &AclFilter) -> Vec<Acl> {
        self.snapshot().iter().filter(|a| filter.matches(a)).cloned().collect()
    }

    /// Deletes what each filter matches; per filter, the ACLs it removed.
    pub fn delete(&self, filters: &[AclFilter]) -> Result<Vec<Vec<Acl>>, String> {
        let _guard = self.write.lock().expect("acls write lock");
        let mut next = (*self.snapshot()).clone();
        let mut out = Vec::with_capacity(filters.len());
        for f in filters {
            let (gone, keep): (Vec<Acl>, Vec<Acl>) = next.into_iter().partition(|a| f.matches(a));
            next = keep;
            out.push(gone);
        }
        self.publish(next).map_err(|e| format!("the ACLs could not be saved: {e}"))?;
        Ok(out)
    }
}
