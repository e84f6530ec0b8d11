use leptos::prelude::*;
use meshdesk_contract::{GetAppInfo, IpcError, NoArgs, SyncNow};

use crate::components::errors::ErrorList;
use crate::ipc;

/// Where Meshdesk keeps its data and which environment it talks to.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let info = LocalResource::new(|| async { ipc::call::<GetAppInfo>(&NoArgs {}).await });
    let sync = Action::new_local(|_: &()| async { ipc::call::<SyncNow>(&NoArgs {}).await });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Settings"</h1>
            </div>
            <Appearance />
            <crate::routes::trust::identity::IdentitySection />
            <crate::routes::trust::secret::SecretSection />
            <h2>"Environment"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let i = info.await?;
                        Ok::<_, IpcError>(view! {
                            <dl class="facts wide">
                                <dt>"Version"</dt>
                                <dd>{i.version}</dd>
                                <dt>"Environment"</dt>
                                <dd>{i.environment_source}</dd>
                                <dt>"Data directory"</dt>
                                <dd class="mono">{i.data_dir}</dd>
                                <dt>"Cache"</dt>
                                <dd class="mono">{i.cache_path}</dd>
                                <dt>"Governance topic"</dt>
                                <dd class="mono">{i.governance_topic}</dd>
                                <dt>"Kafka properties"</dt>
                                <dd class="mono">
                                    {i.kafka_properties.into_iter().map(|(k, v)| view! { <div>{k} " = " {v}</div> }).collect_view()}
                                </dd>
                            </dl>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
            <p>
                <button on:click=move |_| { sync.dispatch(()); } disabled=move || sync.pending().get()>
                    "Sync the governance log now"
                </button>
                " "
                {move || match sync.value().get() {
                    None => ().into_any(),
                    Some(Ok(r)) => view! {
                        <span class="muted">{format!("{} applied, {} skipped; next offset {}", r.applied, r.skipped, r.next_offset)}</span>
                    }.into_any(),
                    Some(Err(e)) => view! { <span class="error-inline" role="alert">{e.message}</span> }.into_any(),
                }}
            </p>
            <crate::routes::environments::EnvironmentsSection />
            // Last: its answer takes up to the probe's timeout, and a section that grows when it
            // arrives must not move what is above it under the pointer.
            <crate::components::cluster::ClusterSection />
        </section>
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `ui/boot.js`: the remembered theme choice ("system", "light" or "dark").
    #[wasm_bindgen(catch, js_namespace = MeshdeskTheme, js_name = choice)]
    fn theme_choice() -> Result<String, wasm_bindgen::JsValue>;
    #[wasm_bindgen(catch, js_namespace = MeshdeskTheme, js_name = choose)]
    fn choose_theme(choice: &str) -> Result<(), wasm_bindgen::JsValue>;
}

/// Light, dark, or following the system; remembered on this computer.
#[component]
fn Appearance() -> impl IntoView {
    let choice = RwSignal::new(theme_choice().unwrap_or_else(|_| "system".into()));
    let failed = RwSignal::new(None::<String>);
    let option = move |key: &'static str, label: &'static str| {
        view! {
            <button id=format!("theme-{key}") class:on=move || choice.get() == key aria-pressed=move || (choice.get() == key).to_string()
                on:click=move |_| match choose_theme(key) {
                    Ok(()) => { choice.set(key.to_owned()); failed.set(None) }
                    Err(e) => failed.set(Some(e.as_string().unwrap_or_else(|| "the theme could not be changed".into()))),
                }>{label}</button>
        }
    };
    view! {
        <h2>"Appearance"</h2>
        <div class="form-row">
            <span>"Theme"</span>
            <div class="theme-switch" role="group" aria-label="Theme">
                {option("system", "Follow the system")}
                {option("light", "Light")}
                {option("dark", "Dark")}
            </div>
        </div>
        {move || failed.get().map(|e| view! { <p class="error-inline" role="alert">{e}</p> })}
    }
}
