//! Who a new schema version reaches, for the wizard's edit and the Schemas page: the subject's
//! readers (grants in force, consumer groups with their lag, derived products) and what the
//! version does to each (the domain's engine, in the window).

use leptos::prelude::*;
use meshdesk_contract::{GetSubjectReaders, IpcError, ReaderKind, ReadersRequest, SubjectReader, SubjectReaders};
use meshdesk_domain::change::{ImpactSummary, effect};

use crate::ipc;

#[component]
fn ReaderTable(readers: Vec<SubjectReader>, s: ImpactSummary) -> impl IntoView {
    if readers.is_empty() {
        return view! { <p class="muted">"No one reads it: no grant in force, no consumer group with offsets, no derived product."</p> }.into_any();
    }
    let what = effect(&s);
    view! {
        <table class="impact-readers" id="impact-readers">
            <thead><tr><th>"Reader"</th><th>"Known by"</th><th>"Consumer group"</th><th>"Lag"</th><th>"Effect"</th></tr></thead>
            <tbody>
                {readers.into_iter().map(|r| {
                    let known = match r.kind {
                        ReaderKind::Grant => format!(
                            "access grant{}{}",
                            r.domain.as_ref().map(|d| format!(" of {d}")).unwrap_or_default(),
                            r.until_ms.map(|u| format!(", until {}", crate::components::time::local(u))).unwrap_or_default()
                        ),
                        ReaderKind::Group => "a consumer group (no grant names it)".to_owned(),
                        ReaderKind::Derived => format!("a derived product{}", r.domain.as_ref().map(|d| format!(" of {d}")).unwrap_or_default()),
                    };
                    view! {
                        <tr>
                            <td class="mono">{r.who.clone()}</td>
                            <td>{known}</td>
                            <td class="mono">{r.group.clone().unwrap_or_else(|| r.group_prefix.clone().map(|p| format!("{p}* (none yet)")).unwrap_or_default())}</td>
                            <td>{r.lag.map(|l| l.to_string()).unwrap_or_default()}</td>
                            <td>{what.clone()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// The readers as the backend answered (or why it could not), with the version's effect on each.
#[component]
pub fn Readers(who: Result<SubjectReaders, IpcError>, s: ImpactSummary) -> impl IntoView {
    match who {
        Ok(r) => view! {
            <ReaderTable readers=r.readers s />
            {r.note.map(|n| view! { <p class="muted">{n}</p> })}
        }
        .into_any(),
        Err(e) => view! { <crate::components::errors::ErrorMessage error=e /> }.into_any(),
    }
}

/// The readers of `subject` and what `summary` (the version being written, `None` while it is the
/// registered one) does to them.
#[component]
pub fn SubjectReadersPanel(subject: String, summary: Signal<Option<ImpactSummary>>) -> impl IntoView {
    let readers = LocalResource::new(move || {
        let subject = subject.clone();
        async move { ipc::call::<GetSubjectReaders>(&ReadersRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let who = readers.await;
                view! {
                    {move || summary.get().map(|s| {
                        view! {
                            <div class="impact card" id="subject-impact">
                                <h4>"Who this version reaches"</h4>
                                {(s.compatible && !s.visible.is_empty()).then(|| view! {
                                    <p>"What they will see:"</p>
                                    <ul class="impact-visible">{s.visible.iter().map(|v| view! { <li>{v.clone()}</li> }).collect_view()}</ul>
                                })}
                                <Readers who=who.clone() s=s.clone() />
                            </div>
                        }
                    })}
                }
            })}
        </Transition>
    }
}
