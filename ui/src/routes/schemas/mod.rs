use leptos::prelude::*;
use meshdesk_contract::{GetSubject, IpcError, ListSubjects, NoArgs, SchemaFormat, SubjectRequest};
use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::schema::diff::{FieldChange, diff};

use crate::components::errors::ErrorList;
use crate::ipc;

mod editor;
mod references;

use editor::Editor;

/// Bumped when a version was registered: the subject list reads the registry again.
#[derive(Clone, Copy)]
struct SubjectsChanged(RwSignal<u32>);

/// The subject shown: references link to other subjects of the page.
#[derive(Clone, Copy)]
struct SelectSubject(RwSignal<Option<String>>);

/// Subjects of the registry; pick one to edit its schema, check it and see its history.
#[component]
pub fn SchemasPage() -> impl IntoView {
    // Read again after a registration, so the list shows the new latest version.
    let changed = RwSignal::new(0u32);
    provide_context(SubjectsChanged(changed));
    let subjects = LocalResource::new(move || {
        changed.track();
        async { ipc::call::<ListSubjects>(&NoArgs {}).await }
    });
    let selected = RwSignal::new(None::<String>);
    provide_context(SelectSubject(selected));
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Schemas"</h1>
            </div>
            <div class="schemas-layout">
                <aside class="subject-list">
                    <Transition fallback=|| view! { <p class="muted">"Loading subjects…"</p> }>
                        <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                            {move || Suspend::new(async move {
                                let list = subjects.await?;
                                Ok::<_, IpcError>(
                                    list
                                        .into_iter()
                                        .map(|s| {
                                            let name = s.subject.clone();
                                            let active = {
                                                let name = name.clone();
                                                move || selected.get().as_deref() == Some(name.as_str())
                                            };
                                            view! {
                                                <button
                                                    class="subject"
                                                    class:active=active
                                                    data-subject=s.subject.clone()
                                                    on:click=move |_| selected.set(Some(name.clone()))
                                                >
                                                    <span class="mono subject-name">{s.subject.clone()}</span>
                                                    <span class="muted subject-meta">
                                                        {format!("version {} · {}", s.latest_version, format_label(&s.schema_type))}
                                                    </span>
                                                </button>
                                            }
                                        })
                                        .collect_view(),
                                )
                            })}
                        </ErrorBoundary>
                    </Transition>
                </aside>
                <div class="subject-pane">
                    {move || match selected.get() {
                        None => view! { <p class="empty">"Choose a subject to edit, check and compare its schema."</p> }.into_any(),
                        Some(s) => view! { <SubjectView subject=s /> }.into_any(),
                    }}
                </div>
            </div>
        </section>
    }
}

#[component]
fn SubjectView(subject: String) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    // A registration's outcome outlives the editor, which is drawn again with the new version.
    let outcome = RwSignal::new(None::<Result<meshdesk_contract::Registered, IpcError>>);
    let detail = LocalResource::new(move || {
        reload.track();
        let subject = subject.clone();
        async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the subject…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let d = detail.await?;
                    Ok::<_, IpcError>(view! { <Editor detail=d reload outcome /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// Version history with a field-level diff between two chosen versions.
#[component]
pub(crate) fn History(versions: Vec<meshdesk_contract::SchemaVersionView>) -> impl IntoView {
    if versions.len() < 2 {
        return view! { <p class="muted">"One version so far: nothing to compare."</p> }.into_any();
    }
    let n = versions.len();
    let from = RwSignal::new(n - 2);
    let to = RwSignal::new(n - 1);
    let options = {
        let versions = versions.clone();
        move |sel: RwSignal<usize>| {
            versions
                .iter()
                .enumerate()
                .map(|(i, v)| view! { <option value=i.to_string() selected=move || sel.get() == i>{format!("version {} (id {})", v.version, v.id)}</option> })
                .collect_view()
        }
    };
    let changes = {
        let versions = versions.clone();
        move || {
            let (a, b) = (&versions[from.get()], &versions[to.get()]);
            match (AvroSchema::parse(&a.schema), AvroSchema::parse(&b.schema)) {
                (Ok(x), Ok(y)) => Ok(diff(&x, &y)),
                _ => Err("Field diffs are shown for Avro subjects.".to_owned()),
            }
        }
    };
    view! {
        <h3>"History"</h3>
        <div class="diff-pick">
            <select on:change=move |ev| from.set(event_target_value(&ev).parse().unwrap_or(0))>{options.clone()(from)}</select>
            " → "
            <select on:change=move |ev| to.set(event_target_value(&ev).parse().unwrap_or(0))>{options(to)}</select>
        </div>
        {move || match changes() {
            Err(e) => view! { <p class="muted">{e}</p> }.into_any(),
            Ok(c) if c.is_empty() => view! { <p class="muted">"No field changes."</p> }.into_any(),
            Ok(c) => view! {
                <table class="diff" id="schema-diff">
                    <thead><tr><th>"Field"</th><th>"Change"</th><th>"Before"</th><th>"After"</th></tr></thead>
                    <tbody>{c.into_iter().map(row).collect_view()}</tbody>
                </table>
            }.into_any(),
        }}
    }
    .into_any()
}

fn row(c: FieldChange) -> impl IntoView {
    let o = |s: Option<String>| s.unwrap_or_else(|| "—".into());
    let (field, change, before, after) = match c {
        FieldChange::Added { path, ty } => (path, "added", "—".into(), ty),
        FieldChange::Removed { path, ty } => (path, "removed", ty, "—".into()),
        FieldChange::Renamed { from, to } => (to.clone(), "renamed", from, to),
        FieldChange::TypeChanged { path, from, to } => (path, "type", from, to),
        FieldChange::DefaultChanged { path, from, to } => (path, "default", o(from), o(to)),
        FieldChange::DocChanged { path, from, to } => (path, "doc", o(from), o(to)),
    };
    view! {
        <tr class=format!("change-{change}")>
            <td class="mono">{field}</td>
            <td>{change}</td>
            <td class="mono">{before}</td>
            <td class="mono">{after}</td>
        </tr>
    }
}

/// The registry returns schemas on one line; show them indented.
pub(crate) fn pretty(schema: &str) -> String {
    serde_json::from_str::<serde_json::Value>(schema)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| schema.to_owned())
}

fn format_label(schema_type: &str) -> &'static str {
    schema_type.parse::<SchemaFormat>().unwrap_or(SchemaFormat::Avro).label()
}
