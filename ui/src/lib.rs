//! Meshdesk's UI: a Leptos client-side app compiled to wasm32 and shown in the Tauri window.
//! It knows the backend only through `meshdesk_contract` (see `ipc`).
// Unit tests read as one story each: the 80-line bound is for the code they test.
#![cfg_attr(test, allow(clippy::too_many_lines))]

mod components;
mod ipc;
mod routes;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use meshdesk_contract::events;
use wasm_bindgen::prelude::wasm_bindgen;

/// Counters bumped by backend events; pages re-fetch when they change.
#[derive(Clone, Copy)]
pub struct Refresh {
    pub catalog: RwSignal<u32>,
    pub status: RwSignal<u32>,
}

#[component]
fn App() -> impl IntoView {
    let refresh = Refresh { catalog: RwSignal::new(0), status: RwSignal::new(0) };
    provide_context(refresh);
    // A sync that applied events changes the catalog and the indicator's sync position.
    ipc::listen(events::CATALOG_CHANGED, move || {
        refresh.catalog.update(|n| *n += 1);
        refresh.status.update(|n| *n += 1);
    });
    ipc::listen(events::ACCESS_CHANGED, move || refresh.catalog.update(|n| *n += 1));
    ipc::listen(events::STATUS_CHANGED, move || {
        refresh.status.update(|n| *n += 1);
        refresh.catalog.update(|n| *n += 1);
    });
    view! {
        <Router>
            <components::shell::Shell>
                <Routes fallback=|| view! { <p class="empty">"This page does not exist."</p> }>
                    <Route path=path!("/") view=routes::catalog::CatalogPage />
                    <Route path=path!("/products/:id") view=routes::product::ProductPage />
                    <Route path=path!("/wizard") view=routes::wizard::WizardStart />
                    <Route path=path!("/wizard/:id") view=routes::wizard::WizardPage />
                    <Route path=path!("/unmanaged") view=routes::unmanaged::UnmanagedPage />
                    <Route path=path!("/domains") view=routes::domains::DomainsPage />
                    <Route path=path!("/schemas") view=routes::schemas::SchemasPage />
                    <Route path=path!("/requests") view=routes::requests::RequestsPage />
                    <Route path=path!("/policies") view=routes::policies::PoliciesPage />
                    <Route path=path!("/settings") view=routes::settings::SettingsPage />
                    <Route path=path!("/trust") view=routes::trust::TrustPage />
                </Routes>
            </components::shell::Shell>
        </Router>
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
