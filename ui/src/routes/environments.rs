//! Settings' "Environments": the embedded sandbox and the environment files this app knows
//! (staging, prod, …); the window switches between them, and they are the targets of a
//! product's promotion.

use leptos::prelude::*;
use meshdesk_contract::{
    AddEnvironment, EnvironmentChoice, EnvironmentFile, IpcError, KnownEnvironment, ListEnvironments, NoArgs,
    RemoveEnvironment, SwitchEnvironment,
};

use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorList, ErrorMessage};
use crate::ipc;

#[component]
pub fn EnvironmentsSection() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        async { ipc::call::<ListEnvironments>(&NoArgs {}).await }
    });
    let path = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<IpcError>);
    let change = Action::new_local(move |(add, file): &(bool, String)| {
        let (add, req) = (*add, EnvironmentFile { path: file.clone() });
        async move {
            let r =
                if add { ipc::call::<AddEnvironment>(&req).await } else { ipc::call::<RemoveEnvironment>(&req).await };
            match r {
                Ok(_) => {
                    failed.set(None);
                    if add {
                        path.set(String::new());
                    }
                    reload.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some(e)),
            }
        }
    });
    // Switching replaces what every page shows: the app goes back to the catalog, which reads
    // the new environment's cache (the shell's status follows the window's events).
    let navigate = leptos_router::hooks::use_navigate();
    let switch = Action::new_local(move |path: &Option<String>| {
        let req = EnvironmentChoice { path: path.clone() };
        let navigate = navigate.clone();
        async move {
            match ipc::call::<SwitchEnvironment>(&req).await {
                Ok(_) => {
                    failed.set(None);
                    reload.update(|n| *n += 1);
                    navigate("/", Default::default());
                }
                Err(e) => failed.set(Some(e)),
            }
        }
    });
    view! {
        <h2>"Environments"</h2>
        <p class="muted">"The embedded sandbox and the environment files of your clusters (staging, production, …). The window runs on one of them and switches to another here; a product page promotes the product to them and shows at which version each one has it."</p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let all = list.await?;
                    Ok::<_, IpcError>(view! {
                        <table id="environments">
                            <thead><tr><th>"Name"</th><th>"File"</th><th></th></tr></thead>
                            <tbody>
                                {all.into_iter().map(|e| view! { <EnvironmentRow e change switch /> }).collect_view()}
                            </tbody>
                        </table>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <div class="inline-form">
            <input id="env-path" type="text" placeholder="/home/you/.config/meshdesk/prod.toml" prop:value=move || path.get()
                on:input=move |ev| path.set(event_target_value(&ev)) />
            <button id="env-add" disabled=move || path.get().trim().is_empty() || change.pending().get()
                on:click=move |_| { change.dispatch((true, path.get_untracked())); }>"Add environment"</button>
        </div>
        {move || failed.get().map(|error| view! { <ErrorMessage error id="env-error" /> })}
    }
}

#[component]
fn EnvironmentRow(
    e: KnownEnvironment,
    change: Action<(bool, String), ()>,
    switch: Action<Option<String>, ()>,
) -> impl IntoView {
    let file = e.path.clone().unwrap_or_else(|| "the embedded sandbox".into());
    let question = format!("Remove {} from the list? The file itself stays.", e.name);
    view! {
        <tr data-env=e.name.clone()>
            <td>{e.name.clone()}{e.current.then(|| view! { " " <span class="badge">"this window"</span> })}</td>
            <td class="mono">{file}{e.problem.clone().map(|p| view! { <div class="error-inline">{p}</div> })}</td>
            <td class="actions">
                {(!e.current && e.problem.is_none()).then(|| {
                    let path = e.path.clone();
                    view! {
                        <button class="env-switch" disabled=move || switch.pending().get()
                            on:click=move |_| { switch.dispatch(path.clone()); }>
                            {move || if switch.pending().get() { "Switching…" } else { "Switch to it" }}
                        </button>
                    }
                })}
                {(!e.current && e.path.is_some()).then(|| {
                    let path = e.path.clone().unwrap_or_default();
                    view! {
                        <ConfirmButton label="Remove" class="secondary" question
                            on_confirm=Callback::new(move |()| { change.dispatch((false, path.clone())); }) />
                    }
                })}
            </td>
        </tr>
    }
}
