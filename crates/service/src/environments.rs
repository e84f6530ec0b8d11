//! The environments this app knows: the embedded sandbox, the environment file it was started
//! on, and environment files added in Settings (kept in `<data>/environments.json`). The window
//! switches between them; the files are also opened on demand beside the current one (each with
//! its own cache in the same data directory, kept open while the app runs), as the targets of
//! promotions and to tell where a product exists and at which version.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use meshdesk_contract as c;
use serde::{Deserialize, Serialize};

use crate::{ClusterConfig, EnvSource, Meshdesk, ServiceError, invalid};

/// The most environment files the app keeps.
const MAX_ENVIRONMENTS: usize = 20;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Known {
    files: Vec<PathBuf>,
}

impl Meshdesk {
    fn environments_file(&self) -> PathBuf {
        self.data_dir.join("environments.json")
    }

    fn known(&self) -> Known {
        // A list this version cannot read is empty; the user adds the files again.
        std::fs::read(self.environments_file()).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    fn save_known(&self, k: &Known) -> Result<(), ServiceError> {
        let path = self.environments_file();
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(k).expect("paths serialize"))
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| invalid(format!("cannot save the list of environments in {}: {e}", path.display())))
    }

    fn current_file(&self) -> Option<&Path> {
        match &self.source {
            EnvSource::File(p) => Some(p),
            EnvSource::Sandbox { .. } => None,
        }
    }

    fn describe(path: &Path, current: bool) -> c::KnownEnvironment {
        let (name, problem) = match ClusterConfig::load(path) {
            Ok(cfg) => (cfg.name, None),
            Err(e) => {
                (path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), Some(e.to_string()))
            }
        };
        c::KnownEnvironment { name, path: Some(path.display().to_string()), current, problem }
    }

    /// Every environment this app knows: the embedded sandbox, the environment file it was
    /// started on (if any) and the files added in Settings; the one this window runs on marked.
    pub async fn environments(&self) -> Result<Vec<c::KnownEnvironment>, ServiceError> {
        let sandbox = matches!(self.source, EnvSource::Sandbox { .. });
        let mut out = vec![c::KnownEnvironment { name: "sandbox".into(), path: None, current: sandbox, problem: None }];
        let mut files = self.known().files;
        if let Some(current) = self.current_file()
            && !files.iter().any(|f| f == current)
        {
            files.insert(0, current.to_owned());
        }
        out.extend(files.iter().map(|p| Self::describe(p, self.current_file() == Some(p.as_path()))));
        Ok(out)
    }

    /// The environment to switch this window to: one of [`Meshdesk::environments`], not the
    /// current one, usable now. The caller opens it and retires this one.
    pub async fn switch_target(&self, choice: &c::EnvironmentChoice) -> Result<EnvSource, ServiceError> {
        let path = choice.path.as_deref().map(str::trim);
        let all = self.environments().await?;
        let env = all
            .iter()
            .find(|e| e.path.as_deref() == path)
            .ok_or_else(|| invalid("that environment is not among the ones this app knows; add its file first"))?;
        if env.current {
            return Err(invalid(format!("this window runs on {} already", env.name)));
        }
        if let Some(problem) = &env.problem {
            return Err(invalid(format!("{} cannot be used: {problem}", env.name)));
        }
        // The file this window leaves stays known, to switch back to.
        if let Some(current) = self.current_file() {
            let mut known = self.known();
            if !known.files.iter().any(|f| f == current) {
                known.files.insert(0, current.to_owned());
                self.save_known(&known)?;
            }
        }
        Ok(match path {
            Some(p) => EnvSource::File(PathBuf::from(p)),
            None => EnvSource::Sandbox { dir: self.data_dir.join("sandbox") },
        })
    }

    /// Adds an environment file: an absolute path to a file that loads, not the current one and
    /// not twice.
    pub async fn add_environment(&self, f: &c::EnvironmentFile) -> Result<Vec<c::KnownEnvironment>, ServiceError> {
        let path = PathBuf::from(f.path.trim());
        if !path.is_absolute() {
            return Err(invalid("give the environment file's full path, starting with /"));
        }
        let cfg = ClusterConfig::load(&path)?;
        if self.current_file().is_some_and(|c| c == path) {
            return Err(invalid(format!("{} is the environment this window runs on", cfg.name)));
        }
        let mut known = self.known();
        if known.files.contains(&path) {
            return Err(invalid(format!("{} is in the list already", path.display())));
        }
        if known.files.len() >= MAX_ENVIRONMENTS {
            return Err(invalid(format!("at most {MAX_ENVIRONMENTS} environments; remove one first")));
        }
        known.files.push(path);
        self.save_known(&known)?;
        self.environments().await
    }

    pub async fn remove_environment(&self, f: &c::EnvironmentFile) -> Result<Vec<c::KnownEnvironment>, ServiceError> {
        let path = PathBuf::from(f.path.trim());
        if self.current_file() == Some(path.as_path()) {
            return Err(invalid("this window runs on that environment; switch to another one first"));
        }
        let mut known = self.known();
        known.files.retain(|p| *p != path);
        self.save_known(&known)?;
        if let Some(other) = self.others.lock().await.remove(&path) {
            other.shutdown().await;
        }
        self.environments().await
    }

    /// The environment of `file` (one added in Settings), opened, connected and synced once and
    /// kept open; synced again on every later use.
    async fn other(&self, file: &str) -> Result<Arc<Meshdesk>, ServiceError> {
        let path = PathBuf::from(file.trim());
        if !self.known().files.contains(&path) {
            return Err(invalid(format!("{} is not among the environments added in Settings", path.display())));
        }
        if self.current_file() == Some(path.as_path()) {
            return Err(invalid("this window runs on that environment already"));
        }
        let mut others = self.others.lock().await;
        if let Some(m) = others.get(&path) {
            let m = Arc::clone(m);
            drop(others);
            m.sync().await?;
            return Ok(m);
        }
        let m = self.open_environment(&path).await?;
        others.insert(path, Arc::clone(&m));
        Ok(m)
    }

    /// Where `product` exists, and at which version: here, and in every environment added in
    /// Settings (one that cannot be reached says why).
    pub async fn product_environments(&self, r: &c::ProductRef) -> Result<Vec<c::ProductPresence>, ServiceError> {
        let mut out = Vec::new();
        for env in self.environments().await? {
            // Another sandbox is this data directory's own: only the window that runs on it reads it.
            if env.path.is_none() && !env.current {
                continue;
            }
            let (version, problem) = if env.current {
                (self.store.product(&r.product).await?.map(|p| p.product.version), None)
            } else if env.problem.is_some() {
                (None, env.problem.clone())
            } else {
                match self.other(env.path.as_deref().unwrap_or_default()).await {
                    Ok(m) => (m.store.product(&r.product).await?.map(|p| p.product.version), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            };
            out.push(c::ProductPresence { environment: c::KnownEnvironment { problem, ..env }, version });
        }
        Ok(out)
    }

    /// The review of promoting a product to an environment added in Settings.
    pub async fn review_promotion(&self, r: &c::PromotionRequest) -> Result<c::Promotion, ServiceError> {
        let target = self.other(&r.target).await?;
        self.promotion(&r.product, &target).await
    }

    /// Promotes a product to an environment added in Settings (see [`Meshdesk::promote`]).
    pub async fn promote_to(&self, r: &c::PromotionRequest) -> Result<c::DraftState, ServiceError> {
        let target = self.other(&r.target).await?;
        self.promote(&r.product, &target).await
    }
}
