//! The Trust page: the environment's pinned governance admins, pending enrollment requests
//! (an admin endorses or rejects them), endorsed keys with their roles, and revocations.

mod audit;
pub mod identity;
pub mod secret;

use leptos::prelude::*;
use meshdesk_contract::{DecideTrust, GetAuditSummary, GetIdentity, GetTrust, IpcError, NoArgs, TrustAction, TrustKey};
use meshdesk_domain::events::Outcome;
use meshdesk_domain::trust::KeyState;

use crate::Refresh;
use crate::components::errors::ErrorList;
use crate::ipc;
use meshdesk_domain::time::minute_utc as when;

#[component]
pub fn TrustPage() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let reload = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        refresh.catalog.track();
        reload.track();
        async {
            let me = ipc::call::<GetIdentity>(&NoArgs {}).await?;
            let trust = ipc::call::<GetTrust>(&NoArgs {}).await?;
            let summary = ipc::call::<GetAuditSummary>(&NoArgs {}).await?;
            Ok::<_, IpcError>((me, trust, summary))
        }
    });
    let last = RwSignal::new(None::<Result<String, String>>);
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Trust"</h1>
            </div>
            <p class="muted">"Every governance event is signed. Desktops accept an event only when its key was endorsed by a governance admin for the principal it claims, and the rules allow that principal to make it."</p>
            {move || last.get().map(|r| match r {
                Ok(m) => view! { <p class="ok" id="trust-outcome">{m}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert" id="trust-outcome">{e}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let (me, t, summary) = data.await?;
                        let admin = me.is_admin;
                        let pending: Vec<TrustKey> = t.keys.iter().filter(|k| k.state == KeyState::Pending).cloned().collect();
                        let others: Vec<TrustKey> = t.keys.iter().filter(|k| k.state != KeyState::Pending).cloned().collect();
                        Ok::<_, IpcError>(view! {
                            {(!admin).then(|| view! { <p class="muted" id="trust-readonly">"Only governance admins endorse, reject or revoke keys; you can see who is trusted."</p> })}
                            <h2>"Pending enrollment"</h2>
                            {if pending.is_empty() {
                                view! { <p class="empty" id="pending-empty">"No one is waiting."</p> }.into_any()
                            } else {
                                view! { <ul class="cards" id="pending-keys">{pending.into_iter().map(|k| view! { <KeyCard k admin reload last /> }).collect_view()}</ul> }.into_any()
                            }}
                            <h2>"Keys"</h2>
                            <ul class="cards" id="keys">{others.into_iter().map(|k| view! { <KeyCard k admin reload last /> }).collect_view()}</ul>
                            <h2>"What the log said lately"</h2>
                            <audit::AuditBar summary />
                            <p class="muted">"The newest events this desktop read, with what it made of them. Refused events changed nothing."</p>
                            <table class="audit" id="audit">
                                <thead><tr><th>"#"</th><th>"When"</th><th>"Event"</th><th>"Claimed by"</th><th>"Signed with"</th><th>"Outcome"</th></tr></thead>
                                <tbody>
                                    {t.recent.iter().map(|e| {
                                        let class = if e.outcome == Outcome::Refused { "refused" } else { "" };
                                        let outcome = match &e.note {
                                            Some(n) if e.outcome != Outcome::Applied => format!("{}: {n}", e.outcome),
                                            _ => e.outcome.to_string(),
                                        };
                                        view! {
                                            <tr class=class>
                                                <td>{e.offset}</td>
                                                <td>{when(e.at_ms)}</td>
                                                <td>{e.kind.clone()}</td>
                                                <td>{e.actor.clone()}</td>
                                                <td class="mono">{e.signer.clone().unwrap_or_else(|| "unsigned".into())}</td>
                                                <td>{outcome}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"Pinned admin keys"</h2>
                            <p class="muted">"From the environment file's [trust] section; changed only there."</p>
                            <ul>{t.root_admins.iter().map(|k| view! { <li class="mono">{meshdesk_domain::trust::fingerprint(k)}</li> }).collect_view()}</ul>
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The last decision's outcome on the page: what was done, or why not.
type Last = RwSignal<Option<Result<String, String>>>;

/// One key as a card: whose it is, its state and roles; for an admin, endorse, reject or revoke.
#[component]
fn KeyCard(k: TrustKey, admin: bool, reload: RwSignal<u32>, last: Last) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let confirming = RwSignal::new(None::<&'static str>);
    let act = trust_action(last, confirming, reload);
    let state_class = match k.state {
        KeyState::Endorsed => "badge state-approved",
        KeyState::Pending => "badge state-pending",
        KeyState::Rejected | KeyState::Revoked => "badge state-denied",
    };
    let pending = k.state == KeyState::Pending;
    let endorsed = k.state == KeyState::Endorsed;
    let when_ms = k.decided_at_ms.or(k.requested_at_ms);
    let (key, principal) = (k.key.clone(), k.principal.clone());
    view! {
        <li class="card key">
            <div class="card-head">
                <strong>{k.principal.clone()}</strong>
                <span class=state_class>{k.state.as_str()}</span>
            </div>
            <p class="mono">{k.fingerprint.clone()}</p>
            <p class="muted">
                {if k.roles.is_empty() { String::new() } else { format!("Roles: {}. ", k.roles.join(", ")) }}
                {k.note.clone().map(|n| format!("“{n}” ")).unwrap_or_default()}
                {k.decided_by.clone().map(|b| format!("Decided by {b}, ")).unwrap_or_default()}
                {when_ms.map(|ms| view! { <crate::components::time::When ms /> })}
            </p>
            {(admin && pending).then(|| view! { <EnrollDecision principal key=key.clone() reason act /> })}
            {(admin && endorsed).then(|| view! { <RevokeKey key reason confirming act /> })}
        </li>
    }
}

/// Signs and sends an admin's decision on a key; its outcome goes to `last`, the page reads again.
fn trust_action(
    last: Last,
    confirming: RwSignal<Option<&'static str>>,
    reload: RwSignal<u32>,
) -> Action<TrustAction, ()> {
    Action::new_local(move |a: &TrustAction| {
        let a = a.clone();
        async move {
            let r = ipc::call::<DecideTrust>(&a).await;
            last.set(Some(
                r.map(|_| "Done: the event is signed and on its way to every desktop.".to_owned())
                    .map_err(|e| e.message),
            ));
            confirming.set(None);
            reload.update(|n| *n += 1);
        }
    })
}

/// An admin's decision on a pending key: endorse it once the fingerprint was compared, or reject it.
#[component]
fn EnrollDecision(
    principal: String,
    key: String,
    reason: RwSignal<String>,
    act: Action<TrustAction, ()>,
) -> impl IntoView {
    // The admin compared the fingerprint with the one its owner read out (out of band).
    let compared = RwSignal::new(false);
    let (principal_e, key_e, key_r) = (principal.clone(), key.clone(), key);
    view! {
        <label class="check fingerprint-compared">
            <input type="checkbox" class="compare-fingerprint" prop:checked=move || compared.get()
                on:change=move |ev| compared.set(event_target_checked(&ev)) />
            {format!("{} read me this fingerprint, and it is the one above", principal)}
        </label>
        <div class="decide">
            <button class="primary endorse" disabled=move || !compared.get()
                title="Compare the fingerprint with its owner first"
                on:click=move |_| { act.dispatch(TrustAction::Endorse { principal: principal_e.clone(), key: key_e.clone(), roles: vec!["owner".into()] }); }>"Endorse as owner"</button>
            <input placeholder="Why not (for a rejection)" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            <button class="danger" disabled=move || reason.get().trim().is_empty()
                on:click=move |_| { act.dispatch(TrustAction::Reject { key: key_r.clone(), reason: reason.get_untracked() }); }>"Reject"</button>
        </div>
    }
}

/// An admin revoking an endorsed key with a reason, confirmed in a second step.
#[component]
fn RevokeKey(
    key: String,
    reason: RwSignal<String>,
    confirming: RwSignal<Option<&'static str>>,
    act: Action<TrustAction, ()>,
) -> impl IntoView {
    // A compromised key: from which day what it signed is void (empty: retired in good order).
    let since = RwSignal::new(String::new());
    view! {
        <div class="decide">
            <input placeholder="Why (e.g. laptop lost)" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            {move || if confirming.get() == Some("revoke") {
                view! { <ConfirmRevoke key=key.clone() reason since confirming act /> }.into_any()
            } else {
                view! { <button class="danger" disabled=move || reason.get().trim().is_empty() on:click=move |_| confirming.set(Some("revoke"))>"Revoke…"</button> }.into_any()
            }}
        </div>
    }
}

/// The revocation's second step: since when the key was compromised (if it was), and what that voids.
#[component]
fn ConfirmRevoke(
    key: String,
    reason: RwSignal<String>,
    since: RwSignal<String>,
    confirming: RwSignal<Option<&'static str>>,
    act: Action<TrustAction, ()>,
) -> impl IntoView {
    let since_ms = move || {
        let d = since.get();
        if d.trim().is_empty() { Ok(None) } else { meshdesk_domain::time::parse_utc(&d).map(Some) }
    };
    let void = move || match since_ms() {
        Ok(Some(_)) => format!(
            "Revocation is final, and everything this key signed since {} no longer counts, endorsements included.",
            since.get()
        ),
        _ => "Revocation is final.".to_owned(),
    };
    view! {
        <label class="compromised-since">"If the key was stolen or leaked, since which day?"
            <input type="date" class="compromised-date" prop:value=move || since.get() on:input=move |ev| since.set(event_target_value(&ev)) />
        </label>
        <p class="revoke-consequence">{void}</p>
        <button class="danger" disabled=move || since_ms().is_err() on:click=move |_| {
            act.dispatch(TrustAction::Revoke { key: key.clone(), reason: reason.get_untracked(), compromised_since_ms: since_ms().ok().flatten() });
        }>"Revoke for good"</button>
        <button on:click=move |_| confirming.set(None)>"Cancel"</button>
    }
}
