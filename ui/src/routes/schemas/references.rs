//! A subject's references as a graph around it: what each version uses (Avro named types,
//! Protobuf imports, JSON Schema `$ref`s to other subjects) and which versions of other subjects
//! use it; and soft-deleting a version, which the registry refuses while others reference it.

use leptos::prelude::*;
use meshdesk_contract::{DeleteSchemaVersion, DeleteVersionRequest, SchemaReferenceView, SchemaVersionView};

use super::{SelectSubject, SubjectsChanged};
use crate::components::confirm::ConfirmButton;
use crate::components::errors::ErrorMessage;
use crate::ipc;

fn version_words(v: i64) -> String {
    if v == -1 { "latest version".into() } else { format!("version {v}") }
}

/// A link to another subject of the page.
#[component]
fn SubjectLink(r: SchemaReferenceView, #[prop(optional)] show_name: bool) -> impl IntoView {
    let select = use_context::<SelectSubject>();
    let subject = r.subject.clone();
    view! {
        <button class="link mono ref-subject" data-subject=r.subject.clone()
            on:click=move |_| if let Some(SelectSubject(s)) = select { s.set(Some(subject.clone())) }>
            {format!("{} · {}", r.subject, version_words(r.version))}
        </button>
        {show_name.then(|| view! { <span class="muted">{format!(" as {}", r.name)}</span> })}
    }
}

#[component]
pub(super) fn References(subject: String, versions: Vec<SchemaVersionView>, reload: RwSignal<u32>) -> impl IntoView {
    let Some(latest) = versions.last().cloned() else { return ().into_any() };
    let uses = latest.references.clone();
    let used_by: Vec<SchemaReferenceView> = versions.iter().flat_map(|v| v.referenced_by.clone()).collect();
    view! {
        <h3>"References"</h3>
        <div class="ref-graph" id="schema-references">
            <div class="ref-column">
                <div class="muted">"Uses"</div>
                {if uses.is_empty() {
                    view! { <p class="muted">"Nothing from other subjects."</p> }.into_any()
                } else {
                    view! { <ul>{uses.into_iter().map(|r| view! { <li><span class="mono">{r.name.clone()}</span>" → "<SubjectLink r /></li> }).collect_view()}</ul> }.into_any()
                }}
                {latest.unresolved.clone().map(|u| view! { <p class="error-inline">{format!("Not all references could be read: {u}")}</p> })}
            </div>
            <div class="ref-node mono">{subject.clone()}</div>
            <div class="ref-column">
                <div class="muted">"Used by"</div>
                {if used_by.is_empty() {
                    view! { <p class="muted">"No other subject references it."</p> }.into_any()
                } else {
                    view! { <ul id="schema-referrers">{used_by.into_iter().map(|r| view! { <li><SubjectLink r show_name=true /></li> }).collect_view()}</ul> }.into_any()
                }}
            </div>
        </div>
        <Versions subject versions reload />
    }
    .into_any()
}

/// Each version with its references, and Delete (soft) behind a confirmation.
#[component]
fn Versions(subject: String, versions: Vec<SchemaVersionView>, reload: RwSignal<u32>) -> impl IntoView {
    let outcome = RwSignal::new(None::<Result<u32, meshdesk_contract::IpcError>>);
    let delete = Action::new_local({
        let subject = subject.clone();
        move |version: &u32| {
            let req = DeleteVersionRequest { subject: subject.clone(), version: *version };
            async move { ipc::call::<DeleteSchemaVersion>(&req).await }
        }
    });
    Effect::new(move |_| {
        let Some(r) = delete.value().get() else { return };
        let done = r.is_ok();
        outcome.set(Some(r));
        if done {
            reload.update(|n| *n += 1);
            if let Some(SubjectsChanged(c)) = use_context::<SubjectsChanged>() {
                c.update(|n| *n += 1);
            }
        }
    });
    view! {
        <table class="versions" id="schema-versions">
            <thead><tr><th>"Version"</th><th>"Schema id"</th><th>"Uses"</th><th>"Used by"</th><th></th></tr></thead>
            <tbody>
                {versions.into_iter().rev().map(|v| {
                    let n = v.version;
                    let subject = subject.clone();
                    view! {
                        <tr data-version=n.to_string()>
                            <td>{n}</td>
                            <td>{v.id}</td>
                            <td>{v.references.iter().map(|r| r.subject.clone()).collect::<Vec<_>>().join(", ")}</td>
                            <td>{v.referenced_by.iter().map(|r| format!("{} v{}", r.subject, r.version)).collect::<Vec<_>>().join(", ")}</td>
                            <td>
                                <ConfirmButton id=format!("delete-version-{n}") label="Delete" class="danger"
                                    question=Signal::derive(move || format!("Delete version {n} of {subject}? The registry keeps it soft-deleted; readers of records written with it can still read them by id."))
                                    disabled=Signal::derive(move || delete.pending().get())
                                    on_confirm=Callback::new(move |_| { delete.dispatch(n); }) />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || match outcome.get() {
            None => ().into_any(),
            Some(Ok(n)) => view! { <p class="ok" id="delete-outcome">{format!("Version {n} deleted.")}</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorMessage error=e id="delete-outcome" /> }.into_any(),
        }}
    }
}
