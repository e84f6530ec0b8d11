//! The Meshdesk desktop app. The only crate that knows Tauri: it opens the window, manages the
//! service, forwards service notices as Tauri events, and exposes the contract's commands.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use meshdesk_contract::{self as c, events};
use meshdesk_service::{EnvSource, Meshdesk, Notice, SandboxPorts};
use tauri::{Emitter, Manager};

/// Managed state: the service, or why it could not be opened (shown in the UI, not swallowed).
pub struct AppState {
    service: Result<Arc<Meshdesk>, String>,
}

impl AppState {
    pub fn service(&self) -> Result<&Arc<Meshdesk>, c::IpcError> {
        self.service.as_ref().map_err(|e| c::IpcError::new(e.clone()))
    }
}

fn env_source(data_dir: &std::path::Path) -> EnvSource {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--env"
            && let Some(p) = args.next()
        {
            return EnvSource::File(PathBuf::from(p));
        }
    }
    match std::env::var_os("MESHDESK_ENV_FILE") {
        Some(p) => EnvSource::File(PathBuf::from(p)),
        None => EnvSource::Sandbox { dir: data_dir.join("sandbox") },
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,meshdesk=debug".into()),
        )
        .init();
    let data_dir = meshdesk_service::meshdesk_data_dir();
    let source = env_source(&data_dir);
    tracing::info!("data directory {}; environment {:?}", data_dir.display(), source);

    let service = tauri::async_runtime::block_on(Meshdesk::open(&data_dir, source, SandboxPorts::default()))
        .map_err(|e| e.to_string());
    if let Err(e) = &service {
        tracing::error!("{e}");
    }

    let app = tauri::Builder::default()
        .manage(AppState { service: service.clone() })
        .invoke_handler(tauri::generate_handler![
            commands::environment_status,
            commands::list_products,
            commands::list_domains,
            commands::sync_now,
            commands::app_info,
            commands::topic_metrics,
            commands::sample_topic,
            commands::list_subjects,
            commands::get_subject,
            commands::register_schema,
        ])
        .setup(move |app| {
            if let Ok(service) = &service {
                let handle = app.handle().clone();
                let mut notices = service.subscribe();
                tauri::async_runtime::spawn(async move {
                    while let Ok(n) = notices.recv().await {
                        let name = match n {
                            Notice::CatalogChanged => events::CATALOG_CHANGED,
                            Notice::StatusChanged => events::STATUS_CHANGED,
                        };
                        if let Err(e) = handle.emit(name, ()) {
                            tracing::warn!("emitting {name}: {e}");
                        }
                    }
                });
                tauri::async_runtime::spawn(service.clone().run(Duration::from_secs(2)));
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the Tauri application could not be built");

    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event
            && let Ok(service) = &handle.state::<AppState>().service
        {
            tauri::async_runtime::block_on(service.shutdown());
        }
    });
}
