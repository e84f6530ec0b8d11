//! Settings' identity section: who this desktop acts as, its signing key and where the
//! governance log says it stands, with "Create my key" and "Request enrollment".

use leptos::prelude::*;
use meshdesk_contract::{
    CreateMyKey, EnrollmentRequest, GetIdentity, Identity, IpcError, KeyStanding, NoArgs, RequestEnrollment,
};

use crate::Refresh;
use crate::components::errors::ErrorList;
use crate::ipc;

/// A sentence for people about a key's standing.
pub fn standing_text(s: KeyStanding) -> &'static str {
    match s {
        KeyStanding::NoKey => {
            "No signing key on this machine: you can read everything, but you cannot publish, request or decide until you have one."
        }
        KeyStanding::NotEnrolled => {
            "Your key is not endorsed yet: request enrollment so that a governance admin can endorse it."
        }
        KeyStanding::Pending => {
            "Enrollment requested. Read your key's fingerprint (above) to a governance admin by phone or in person: they compare it with the one on their screen before endorsing you, so nobody else's key is endorsed in your name."
        }
        KeyStanding::Endorsed => "Endorsed: what you sign is accepted by every desktop.",
        KeyStanding::Rejected => "A governance admin rejected this key's enrollment. Ask them why, then request again.",
        KeyStanding::Revoked => {
            "This key was revoked: nothing it signs counts any more. Ask a governance admin for help."
        }
        KeyStanding::Admin => "Governance admin: this key is one of the environment's pinned admin keys.",
    }
}

fn badge(s: KeyStanding) -> (&'static str, &'static str) {
    match s {
        KeyStanding::NoKey => ("badge state-pending", "no key"),
        KeyStanding::NotEnrolled => ("badge state-pending", "not enrolled"),
        KeyStanding::Pending => ("badge state-pending", "pending"),
        KeyStanding::Endorsed => ("badge state-approved", "endorsed"),
        KeyStanding::Rejected => ("badge state-denied", "rejected"),
        KeyStanding::Revoked => ("badge state-denied", "revoked"),
        KeyStanding::Admin => ("badge state-approved", "admin"),
    }
}

#[component]
pub fn IdentitySection() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let reload = RwSignal::new(0u32);
    let identity = LocalResource::new(move || {
        refresh.catalog.track();
        reload.track();
        async { ipc::call::<GetIdentity>(&NoArgs {}).await }
    });
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let note = RwSignal::new(String::new());
    let create = Action::new_local(move |_: &()| async move {
        let r = ipc::call::<CreateMyKey>(&NoArgs {}).await;
        outcome.set(Some(r.map(|_| "Key created.".to_owned()).map_err(|e| e.message)));
        reload.update(|n| *n += 1);
    });
    let enroll = Action::new_local(move |_: &()| async move {
        let r = ipc::call::<RequestEnrollment>(&EnrollmentRequest { note: note.get_untracked() }).await;
        outcome.set(Some(
            r.map(|_| "Enrollment requested: a governance admin will see it on the Trust page.".to_owned())
                .map_err(|e| e.message),
        ));
        reload.update(|n| *n += 1);
    });
    let busy = move || create.pending().get() || enroll.pending().get();
    view! {
        <h2>"Identity"</h2>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let i: Identity = identity.await?;
                    let (class, label) = badge(i.standing);
                    let can_create = i.standing == KeyStanding::NoKey;
                    let can_enroll = matches!(i.standing, KeyStanding::NotEnrolled | KeyStanding::Rejected);
                    Ok::<_, IpcError>(view! {
                        <div id="identity">
                            <dl class="facts wide">
                                <dt>"You act as"</dt>
                                <dd id="identity-principal">{i.principal.clone()}</dd>
                                <dt>"Signing key"</dt>
                                <dd class="mono" id="identity-fingerprint">{i.fingerprint.clone().unwrap_or_else(|| "none yet".into())}</dd>
                                <dt>"Standing"</dt>
                                <dd><span class=class id="identity-standing">{label}</span> " " {standing_text(i.standing)}</dd>
                                <dt>"Roles"</dt>
                                <dd>{if i.roles.is_empty() { "none".to_owned() } else { i.roles.join(", ") }}</dd>
                                <dt>"Keys are kept in"</dt>
                                <dd>{i.key_store.clone()}</dd>
                            </dl>
                            {(!i.warnings.is_empty()).then(|| view! {
                                <ul class="findings" id="identity-warnings">
                                    {i.warnings.iter().map(|w| view! { <li class="finding">{w.clone()}</li> }).collect_view()}
                                </ul>
                            })}
                            {can_create.then(|| view! {
                                <p><button id="create-key" on:click=move |_| { create.dispatch(()); } disabled=busy>"Create my key"</button></p>
                            })}
                            {can_enroll.then(|| view! {
                                <div class="form-grid">
                                    <label for="enroll-note">"A note for the admins (team, why you need to act)"</label>
                                    <input id="enroll-note" maxlength="500" prop:value=move || note.get()
                                        on:input=move |ev| note.set(event_target_value(&ev)) />
                                </div>
                                <p><button id="request-enrollment" on:click=move |_| { enroll.dispatch(()); } disabled=busy>"Request enrollment"</button></p>
                            })}
                        </div>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        {move || outcome.get().map(|r| match r {
            Ok(m) => view! { <p class="ok" id="identity-outcome">{m}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert" id="identity-outcome">{e}</p> }.into_any(),
        })}
    }
}
