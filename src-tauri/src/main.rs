//! The Meshdesk desktop app. The only crate that knows Tauri: it opens the window, manages the
//! service, forwards service notices as Tauri events, and exposes the contract's commands.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

mod commands;
mod serve;
mod single;

use std::path::PathBuf;
use std::sync::Arc;

use meshdesk_contract as c;
use meshdesk_service::{EnvSource, Meshdesk, SandboxPorts};
use tauri::Manager;

/// Managed state: the service, or why it could not be opened (shown in the UI, not swallowed).
pub struct AppState {
    /// The environment the window runs on (switchable from Settings).
    served: std::sync::Mutex<serve::Served>,
    data_dir: PathBuf,
    /// When `main` began: the clock of the start-up figure.
    main_started: std::time::Instant,
    first_paint_ms: std::sync::OnceLock<u64>,
}

impl AppState {
    pub fn service(&self) -> Result<Arc<Meshdesk>, c::IpcError> {
        self.served.lock().expect("served lock").service.clone().map_err(c::IpcError::new)
    }

    /// Switches the window to another known environment.
    pub async fn switch(
        &self,
        handle: &tauri::AppHandle,
        choice: &c::EnvironmentChoice,
    ) -> Result<Vec<c::KnownEnvironment>, c::IpcError> {
        serve::switch(handle, &self.served, &self.data_dir, choice).await
    }

    /// Records the first catalog paint (later reports return the first figure) and prints it:
    /// `meshdesk: first catalog paint <ms> ms after process start`.
    pub fn first_paint(&self, req: &c::FirstPaint) -> c::StartupTiming {
        let ms = *self.first_paint_ms.get_or_init(|| {
            // From `main`'s first line: the app's own start. (The kernel's start time of the
            // process is not used: a script that `exec`s the app hands it its own start time.)
            let ms = self.main_started.elapsed().as_millis() as u64;
            eprintln!("meshdesk: first catalog paint {ms} ms after process start ({} products)", req.products);
            ms
        });
        c::StartupTiming { ms_since_process_start: ms }
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
    let main_started = std::time::Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,meshdesk=debug".into()),
        )
        .init();
    let data_dir = meshdesk_service::meshdesk_data_dir();
    // One app per data directory: a second start brings the first window forward and ends.
    let instance = match single::claim(&data_dir) {
        Ok(single::Claim::First(i)) => i,
        Ok(single::Claim::Focused) => {
            eprintln!("meshdesk: already running on {}; its window was brought forward", data_dir.display());
            return;
        }
        Err(e) => {
            eprintln!("meshdesk: {e} (socket {})", single::socket(&data_dir).display());
            std::process::exit(1);
        }
    };
    let focus: single::Focus = Default::default();
    let exiting = instance.serve(focus.clone());
    let source = env_source(&data_dir);
    tracing::info!("data directory {}; environment {:?}", data_dir.display(), source);

    let service = tauri::async_runtime::block_on(Meshdesk::open(&data_dir, source, SandboxPorts::default()))
        .map_err(|e| e.to_string());
    if let Err(e) = &service {
        tracing::error!("{e}");
    }

    let app = tauri::Builder::default()
        .manage(AppState {
            served: std::sync::Mutex::new(serve::Served::new(service.clone())),
            data_dir: data_dir.clone(),
            main_started,
            first_paint_ms: Default::default(),
        })
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
        .setup(move |app| {
            let handle = app.handle().clone();
            let _ = focus.set(Box::new(move || {
                if let Some(w) = handle.get_webview_window("main") {
                    let _ = w.unminimize();
                    let _ = w.show();
                    let _ = w.set_focus();
                }
            }));
            app.state::<AppState>().served.lock().expect("served lock").start(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!())
        .expect("the Tauri application could not be built");

    app.run(move |handle, event| {
        if let tauri::RunEvent::ExitRequested { .. } | tauri::RunEvent::Exit = event {
            exiting.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        if let tauri::RunEvent::Exit = event
            && let Ok(service) = handle.state::<AppState>().service()
        {
            tauri::async_runtime::block_on(service.shutdown());
        }
    });
}
