//! The rules published in the governance log: each with its scope, version and author, its
//! history on demand, and Withdraw for whoever may.

use leptos::prelude::*;
use meshdesk_contract::{
    GetPolicyHistory, IpcError, PolicyEvent, PolicyOverview, PublishedRule, RuleRef, WithdrawPolicy, WithdrawRule,
};
use meshdesk_domain::policy::{Scope, Severity};

use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorList, ErrorMessage};
use crate::components::time::When;
use crate::ipc;

/// Whose rule it is, for people.
pub(super) fn scope_words(s: &Scope) -> String {
    match s {
        Scope::Global => "Every domain".into(),
        Scope::Domain(d) => format!("Domain {d} only"),
    }
}

#[component]
pub(super) fn PublishedRules(
    policies: LocalResource<Result<PolicyOverview, IpcError>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    view! {
        <section class="published" id="published-rules">
            <h2>"Published rules"</h2>
            <p class="muted">"Rules the governance admins (for every domain) and the domains' owners (for their own products) published. They are checked beside the built-in policies, in the wizard and before publishing. A domain's rules can only add conditions: they never loosen a global one."</p>
            <Transition fallback=|| view! { <p class="muted">"Reading the published rules…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let overview = policies.await?;
                        Ok::<_, IpcError>(if overview.rules.is_empty() {
                            view! { <p class="muted" id="published-empty">"No rule has been published yet. Write one below, try it against the catalog, then publish it."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="published-list">
                                    {overview.rules.into_iter().map(|r| view! { <RuleCard r reload /> }).collect_view()}
                                </ul>
                            }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn RuleCard(r: PublishedRule, reload: RwSignal<u32>) -> impl IntoView {
    let id = r.rule.id.clone();
    let in_force = r.withdrawn.is_none();
    let reason = RwSignal::new(String::new());
    let failed = RwSignal::new(None::<IpcError>);
    let withdraw = Action::new_local(move |w: &WithdrawRule| {
        let w = w.clone();
        async move {
            match ipc::call::<WithdrawPolicy>(&w).await {
                Ok(_) => {
                    failed.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => failed.set(Some(e)),
            }
        }
    });
    let open = RwSignal::new(false);
    let question = {
        let id = id.clone();
        Signal::derive(move || format!("Withdraw the rule {id}? Products are no longer checked against it."))
    };
    let (id_w, id_h) = (id.clone(), id.clone());
    view! {
        <li class="card published-rule" data-rule=id.clone() data-state=if in_force { "in-force" } else { "withdrawn" }>
            <div class="card-head">
                <strong class="mono">{id.clone()}</strong>
                <span class="badge">{scope_words(&r.rule.owner)}</span>
                <span class="badge">{format!("version {}", r.version)}</span>
                {if in_force {
                    view! { <span class="badge state-approved">"in force"</span> }.into_any()
                } else {
                    view! { <span class="badge state-denied">"withdrawn"</span> }.into_any()
                }}
            </div>
            <p class="muted">
                {format!("Reported under {} · {} · ", r.rule.policy, if r.rule.severity == Severity::Error { "blocks publishing" } else { "informs" })}
                {format!("published by {} ", r.published_by)}<When ms=r.published_at_ms />
            </p>
            <div class="policy-rule">
                <span class="muted">{super::target_words(r.rule.target)}</span>
                <code class="rule-condition">{r.rule.condition.clone()}</code>
                <span class="rule-message">"Otherwise: "{r.rule.message.clone()}</span>
            </div>
            {r.withdrawn.clone().map(|w| view! {
                <p class="muted">{format!("Withdrawn by {}: {} · ", w.by, w.reason)}<When ms=w.at_ms /></p>
            })}
            <details class="rule-history" on:toggle=move |_| open.set(true)>
                <summary>"History"</summary>
                {move || open.get().then(|| view! { <History id=id_h.clone() /> })}
            </details>
            {(r.mine && in_force).then(|| view! {
                <div class="actions">
                    <input class="withdraw-reason" placeholder="Why withdraw it" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <ConfirmButton label="Withdraw" class="danger" question
                        disabled=Signal::derive(move || reason.get().trim().is_empty())
                        on_confirm=Callback::new(move |()| { withdraw.dispatch(WithdrawRule { id: id_w.clone(), reason: reason.get_untracked() }); }) />
                </div>
            })}
            {move || failed.get().map(|error| view! { <ErrorMessage error /> })}
        </li>
    }
}

/// A rule's events, oldest first; refused attempts with the reason every desktop gave.
#[component]
fn History(id: String) -> impl IntoView {
    let events = LocalResource::new(move || {
        let id = id.clone();
        async move { ipc::call::<GetPolicyHistory>(&RuleRef { id }).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Reading the log…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let events = events.await?;
                    Ok::<_, IpcError>(view! {
                        <ol class="history">
                            {events.into_iter().map(|e| view! { <HistoryLine e /> }).collect_view()}
                        </ol>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn HistoryLine(e: PolicyEvent) -> impl IntoView {
    let what = match (&e.rule, e.withdrawn) {
        (_, true) => format!("Withdrawn by {}: {}", e.actor, e.reason.clone().unwrap_or_default()),
        (Some(rule), false) => {
            format!("Published by {} for {}: {}", e.actor, scope_words(&rule.owner).to_lowercase(), rule.condition)
        }
        (None, false) => format!("Published by {}", e.actor),
    };
    view! {
        <li class:refused=!e.applied>
            <When ms=e.at_ms />" · "{what}
            {(!e.applied).then(|| view! { <span class="error-message">{format!(" (refused: {})", e.note.clone().unwrap_or_default())}</span> })}
        </li>
    }
}
