//! Writes the cluster refused for good (too large, invalid, forbidden by a policy): listed in
//! the top bar with the reason, each with "Send again" and "Discard" (confirmed first).

use leptos::prelude::*;
use meshdesk_contract::{ParkedAction, ParkedWrite, SettleParkedWrite};

use crate::Refresh;
use crate::ipc;

#[component]
pub fn ParkedWrites(parked: Vec<ParkedWrite>) -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let outcome = RwSignal::new(None::<String>);
    let n = parked.len();
    let settle = move |event_id: String, retry: bool| {
        leptos::task::spawn_local(async move {
            match ipc::call::<SettleParkedWrite>(&ParkedAction { event_id, retry }).await {
                Ok(_) => outcome.set(None),
                Err(e) => outcome.set(Some(e.message)),
            }
            refresh.status.update(|n| *n += 1);
        });
    };
    view! {
        <details class="parked" id="parked-writes">
            <summary class="pending">{format!("{n} change{} refused by the cluster", if n == 1 { "" } else { "s" })}</summary>
            <div class="parked-panel">
                <p class="muted">"The cluster refused these for good; the changes after them were sent. Fix the cause and send again, or discard."</p>
                <ul>
                    {parked.into_iter().map(|p| {
                        let confirming = RwSignal::new(false);
                        let (retry_id, discard_id) = (p.event_id.clone(), p.event_id.clone());
                        view! {
                            <li class="parked-write" data-event=p.event_id.clone()>
                                <strong>{p.kind.clone()}</strong>
                                <span class="parked-reason">{p.reason.clone()}</span>
                                <span class="parked-actions">
                                    <button class="retry" on:click=move |_| settle(retry_id.clone(), true)>"Send again"</button>
                                    {move || if confirming.get() {
                                        let id = discard_id.clone();
                                        view! {
                                            <span class="confirm">
                                                "Discard for good? "
                                                <button class="discard-confirm danger" on:click=move |_| settle(id.clone(), false)>"Discard"</button>
                                                <button class="discard-cancel secondary" on:click=move |_| confirming.set(false)>"Keep"</button>
                                            </span>
                                        }.into_any()
                                    } else {
                                        view! { <button class="discard secondary" on:click=move |_| confirming.set(true)>"Discard…"</button> }.into_any()
                                    }}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {move || outcome.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </details>
    }
}
