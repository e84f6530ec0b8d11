//! The IPC surface, generated from the contract's one list of commands
//! (`meshdesk_contract::with_commands!`): each `service` command is a Tauri command that makes
//! one call, the service's `Handle` for it; the few `app` commands (a save dialog, the window's
//! start-up figure, switching the service) are written in [`app`]. The same list gives
//! [`handler`], which registers them all, and [`REGISTERED`], which a test compares with the
//! contract.

use meshdesk_contract as c;
use meshdesk_service::{Handle, Meshdesk};
use tauri::State;

use crate::AppState;

type Reply<T> = Result<T, c::IpcError>;

macro_rules! tauri_commands {
    (
        service { $($(#[$m:meta])* $ty:ident = $name:ident($req:ty) -> $resp:ty;)* }
        app { $($(#[$am:meta])* $aty:ident = $aname:ident($areq:ty) -> $aresp:ty;)* }
    ) => {
        $(
            #[tauri::command]
            pub async fn $name(
                state: State<'_, AppState>,
                req: <c::$ty as c::Command>::Request,
            ) -> Reply<<c::$ty as c::Command>::Response> {
                let service = state.service()?;
                Ok(<Meshdesk as Handle<c::$ty>>::handle(&service, req).await?)
            }
        )*

        /// Every command's handler, for `Builder::invoke_handler`.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* $(app::$aname,)*]
        }

        /// Each registered handler's name, with the contract name of the command it answers.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const REGISTERED: &[(&str, &str)] = &[
            $((stringify!($name), <c::$ty as c::Command>::NAME),)*
            $((stringify!($aname), <c::$aty as c::Command>::NAME),)*
        ];
    };
}

meshdesk_contract::with_commands!(tauri_commands);

/// The commands the app shell answers itself.
pub mod app {
    use meshdesk_contract as c;
    use tauri::State;

    use super::Reply;
    use crate::AppState;

    #[tauri::command]
    pub fn report_first_paint(state: State<'_, AppState>, req: c::FirstPaint) -> Reply<c::StartupTiming> {
        Ok(state.first_paint(&req))
    }

    /// Asks where to save (the system's save dialog), then has the service write the CSV.
    #[tauri::command]
    pub async fn export_audit(
        app: tauri::AppHandle,
        state: State<'_, AppState>,
        req: c::NoArgs,
    ) -> Reply<c::AuditExport> {
        let _ = req;
        let service = state.service()?.clone();
        let Some(path) = save_dialog(app, meshdesk_service::Meshdesk::access_audit_file_name()).await? else {
            return Ok(c::AuditExport { path: None, rows: 0 });
        };
        Ok(service.export_access_audit_to(&path).await?)
    }

    /// Asks where to save (the system's save dialog), then has the service write the export.
    #[tauri::command]
    pub async fn export_product(
        app: tauri::AppHandle,
        state: State<'_, AppState>,
        req: c::ExportRequest,
    ) -> Reply<c::Exported> {
        let service = state.service()?.clone();
        let name = meshdesk_service::Meshdesk::export_file_name(&req.id, &req.format);
        let Some(path) = save_dialog(app, name).await? else { return Ok(c::Exported { path: None }) };
        service.export_product_to(&req.id, &req.format, &path).await?;
        Ok(c::Exported { path: Some(path.display().to_string()) })
    }

    /// Switches the window to another known environment (the one Tauri-level command: it replaces
    /// the service the others call).
    #[tauri::command]
    pub async fn switch_environment(
        app: tauri::AppHandle,
        state: State<'_, AppState>,
        req: c::EnvironmentChoice,
    ) -> Reply<Vec<c::KnownEnvironment>> {
        state.switch(&app, &req).await
    }

    /// The system's save dialog, proposing `name`; `None` when cancelled.
    async fn save_dialog(app: tauri::AppHandle, name: String) -> Result<Option<std::path::PathBuf>, c::IpcError> {
        use tauri_plugin_dialog::DialogExt;
        let chosen =
            tauri::async_runtime::spawn_blocking(move || app.dialog().file().set_file_name(&name).blocking_save_file())
                .await
                .map_err(|e| c::IpcError::new(format!("the save dialog failed: {e}")))?;
        Ok(chosen.and_then(|p| p.into_path().ok()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_contract_command_is_registered_under_its_name_and_nothing_else() {
        // Verifies that each handler is registered under the name of the command it answers, and that the registered names are exactly the contract's.
        for (registered, answers) in super::REGISTERED {
            assert_eq!(registered, answers);
        }
        let mut contract = meshdesk_contract::COMMAND_NAMES.to_vec();
        let mut registered: Vec<&str> = super::REGISTERED.iter().map(|(n, _)| *n).collect();
        contract.sort();
        registered.sort();
        assert_eq!(contract, registered);
    }
}
