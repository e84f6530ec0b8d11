//! The product's Environments tab: where it exists and at which version, and its promotion to
//! another environment (the differences, the target's plan and policies, reviewed before
//! anything is applied; applied by the target's wizard journal, so it resumes after a failure).

use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::DraftStatus;
use meshdesk_contract::{
    DraftState, IpcError, ProductEnvironments, ProductPresence, ProductRef, Promote, Promotion, PromotionRequest,
    ReviewPromotion,
};

use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorList, ErrorMessage};
use crate::ipc;
use crate::routes::wizard::findings_view;

/// The promotion's state, owned by the tab: the presence table above it is read again after a
/// promotion, and what was reviewed and applied must not vanish with it.
#[derive(Clone, Copy)]
struct Promoting {
    target: RwSignal<String>,
    review: Action<String, Result<Promotion, IpcError>>,
    apply: Action<String, ()>,
    applied: RwSignal<Option<Result<DraftState, IpcError>>>,
}

#[component]
pub(super) fn EnvironmentsTab(id: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let applied = RwSignal::new(None::<Result<DraftState, IpcError>>);
    let review = Action::new_local({
        let id = id.clone();
        move |path: &String| {
            let req = PromotionRequest { product: id.clone(), target: path.clone() };
            async move { ipc::call::<ReviewPromotion>(&req).await }
        }
    });
    let apply = Action::new_local({
        let id = id.clone();
        move |path: &String| {
            let req = PromotionRequest { product: id.clone(), target: path.clone() };
            async move {
                let r = ipc::call::<Promote>(&req).await;
                let published = matches!(&r, Ok(s) if s.status == DraftStatus::Published);
                applied.set(Some(r));
                reload.update(|n| *n += 1);
                // The review above shows the target as it is now, not as it was.
                if published {
                    review.dispatch(req.target);
                }
            }
        }
    });
    let state = Promoting { target: RwSignal::new(String::new()), review, apply, applied };
    let presence = {
        let id = id.clone();
        LocalResource::new(move || {
            reload.track();
            let product = id.clone();
            async move { ipc::call::<ProductEnvironments>(&ProductRef { product }).await }
        })
    };
    view! {
        <h2>"Environments"</h2>
        <Transition fallback=|| view! { <p class="muted">"Asking each environment…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let all = presence.await?;
                    Ok::<_, IpcError>(view! { <Presence all state /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Presence(all: Vec<ProductPresence>, state: Promoting) -> impl IntoView {
    let targets: Vec<(String, String)> = all
        .iter()
        .filter(|p| !p.environment.current && p.environment.problem.is_none())
        .filter_map(|p| p.environment.path.clone().map(|path| (path, p.environment.name.clone())))
        .collect();
    let rows = all
        .into_iter()
        .map(|p| {
            let e = p.environment;
            let version = match (&p.version, &e.problem) {
                (_, Some(problem)) => view! { <span class="error-inline">{problem.clone()}</span> }.into_any(),
                (Some(v), None) => view! { <span>{format!("version {v}")}</span> }.into_any(),
                (None, None) => view! { <span class="muted">"not there"</span> }.into_any(),
            };
            view! {
                <tr data-env=e.name.clone()>
                    <td>{e.name.clone()}{e.current.then(|| view! { " " <span class="badge">"this window"</span> })}</td>
                    <td class="env-version">{version}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id="presence">
            <thead><tr><th>"Environment"</th><th>"This product"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {if targets.is_empty() {
            view! {
                <p class="muted" id="promote-none">"To promote this product, add the environment files of your other clusters in "<A href="/settings">"Settings"</A>"."</p>
            }.into_any()
        } else {
            view! { <PromoteForm targets state /> }.into_any()
        }}
    }
}

#[component]
fn PromoteForm(targets: Vec<(String, String)>, state: Promoting) -> impl IntoView {
    let Promoting { target, review, apply, applied } = state;
    if target.get_untracked().is_empty() || !targets.iter().any(|t| t.0 == target.get_untracked()) {
        target.set(targets.first().map(|t| t.0.clone()).unwrap_or_default());
    }
    let name_of = {
        let targets = targets.clone();
        move |path: &str| targets.iter().find(|t| t.0 == path).map(|t| t.1.clone()).unwrap_or_default()
    };
    view! {
        <h3>"Promote"</h3>
        <div class="inline-form">
            <label>"To "
                <select id="promote-target" prop:value=move || target.get()
                    on:change=move |ev| { target.set(event_target_value(&ev)); applied.set(None); }>
                    {targets.iter().map(|(path, name)| view! { <option value=path.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button id="promote-review" disabled=move || review.pending().get()
                on:click=move |_| { applied.set(None); review.dispatch(target.get_untracked()); }>
                {move || if review.pending().get() { "Reviewing…" } else { "Review the promotion" }}
            </button>
        </div>
        {move || review.value().get().map(|r| match r {
            Err(error) => view! { <ErrorMessage error id="promote-error" /> }.into_any(),
            Ok(p) => {
                let path = target.get_untracked();
                let name = name_of(&path);
                view! { <Review p name path apply applied /> }.into_any()
            }
        })}
    }
}

#[component]
fn Review(
    p: Promotion,
    name: String,
    path: String,
    apply: Action<String, ()>,
    applied: RwSignal<Option<Result<DraftState, IpcError>>>,
) -> impl IntoView {
    let blocks = p.blocks;
    let question =
        format!("Promote {} to {name}? The plan's steps run in {name}; what it has already counts as done.", p.product);
    view! {
        <div class="promotion" id="promotion">
            <h3>{format!("How {name} differs from here")}</h3>
            {if p.differences.is_empty() {
                view! { <p class="ok" id="promote-same">{format!("{name} has this product as it is here.")}</p> }.into_any()
            } else {
                view! {
                    <table id="promote-differences">
                        <thead><tr><th>"What"</th><th>"Here"</th><th>{name.clone()}</th></tr></thead>
                        <tbody>
                            {p.differences.into_iter().map(|d| view! {
                                <tr><td>{d.at}</td><td class="mono">{d.source}</td><td class="mono">{d.target}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <h3>{format!("The plan in {name}")}</h3>
            <ol class="plan-steps mono" id="promote-plan">{p.plan.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
            <p id="promote-verdict" class=if blocks { "error" } else { "ok" }>
                {if blocks { format!("{name}'s policies block this promotion:") } else { format!("{name}'s policies pass.") }}
            </p>
            {findings_view(p.findings)}
            <ConfirmButton id="promote-apply" label=format!("Promote to {name}") class="primary" question=question
                disabled=Signal::derive(move || blocks || apply.pending().get())
                on_confirm=Callback::new(move |()| { apply.dispatch(path.clone()); }) />
            {move || apply.pending().get().then(|| view! { <p class="muted">"Promoting: each step is journaled in the target…"</p> })}
            {move || applied.get().map(|r| match r {
                Err(error) => view! { <ErrorMessage error id="promote-failed" /> }.into_any(),
                Ok(s) => view! {
                    <p id="promote-done" class=if s.status == DraftStatus::Published { "ok" } else { "error" } data-status=s.status.as_str()>
                        {if s.status == DraftStatus::Published { "Promoted.".to_owned() } else { format!("Stopped: {}", s.last_error.clone().unwrap_or_default()) }}
                    </p>
                    <ol class="plan-steps mono" id="promote-steps">
                        {s.steps.into_iter().map(|st| view! {
                            <li data-state=st.state.as_str()>{st.description}{st.result.map(|r| format!(": {r}"))}</li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            })}
        </div>
    }
}
