use leptos::prelude::*;
use meshdesk_contract::{
    CompatibilityLevel, GetSubject, IpcError, ListSubjects, NoArgs, RegisterRequest, RegisterSchema, SchemaFormat,
    SubjectDetail, SubjectRequest,
};
use meshdesk_domain::schema::diff::{FieldChange, diff};
use meshdesk_domain::schema::{AvroSchema, ParsedSchema, check_messages};

use crate::components::code_editor::{CodeEditor, Marker};
use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorList, ErrorMessage};
use crate::ipc;

mod references;

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

#[component]
fn Editor(
    detail: SubjectDetail,
    reload: RwSignal<u32>,
    outcome: RwSignal<Option<Result<meshdesk_contract::Registered, IpcError>>>,
) -> impl IntoView {
    let latest = detail.versions.last().map(|v| v.schema.clone()).unwrap_or_default();
    let format: SchemaFormat =
        detail.versions.last().and_then(|v| v.schema_type.parse().ok()).unwrap_or(SchemaFormat::Avro);
    let format_name = format.label();
    let text = RwSignal::new(if format == SchemaFormat::Protobuf { latest.clone() } else { pretty(&latest) });
    let level = detail.level.unwrap_or(CompatibilityLevel::Backward);
    let level_text = match (&detail.level, &detail.level_note) {
        (Some(l), _) => format!("{l}"),
        (None, Some(note)) => format!("BACKWARD assumed ({note})"),
        (None, None) => "BACKWARD assumed".into(),
    };
    let previous: Vec<(u32, Result<ParsedSchema, String>)> = detail
        .versions
        .iter()
        .map(|v| (v.version, parse_with(format, &v.schema, &v.resolved).map_err(|e| e.to_string())))
        .collect();
    // A new version keeps the latest's references (the service registers it with them).
    let resolved = detail.versions.last().map(|v| v.resolved.clone()).unwrap_or_default();
    let parsed = Memo::new(move |_| parse_with(format, &text.get(), &resolved));
    let verdict = {
        let previous = previous.clone();
        Memo::new(move |_| {
            let new = parsed.get().ok()?;
            let prev: Vec<(u32, &ParsedSchema)> =
                previous.iter().filter_map(|(v, s)| s.as_ref().ok().map(|s| (*v, s))).collect();
            Some(check_messages(level, &prev, &new))
        })
    };
    // Who the version reaches, once it differs from the registered one.
    let summary = {
        let previous = previous.clone();
        let latest = latest.clone();
        Memo::new(move |_| {
            let new = parsed.get().ok()?;
            if text.with(|t| t.trim() == latest.trim()) {
                return None;
            }
            let prev: Vec<(u32, &ParsedSchema)> =
                previous.iter().filter_map(|(v, s)| s.as_ref().ok().map(|s| (*v, s))).collect();
            Some(meshdesk_domain::change::impact(level, &prev, &new))
        })
    };
    let subject = detail.subject.clone();
    let register_subject = subject.clone();
    let next_version = detail.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    let register = Action::new_local(move |schema: &String| {
        let req = RegisterRequest { subject: subject.clone(), schema: schema.clone(), format };
        async move { ipc::call::<RegisterSchema>(&req).await }
    });
    Effect::new(move |_| {
        if register.pending().get() {
            outcome.set(None);
        }
    });
    Effect::new(move |_| {
        let Some(result) = register.value().get() else { return };
        let done = result.is_ok();
        outcome.set(Some(result));
        if done {
            reload.update(|n| *n += 1);
            if let Some(SubjectsChanged(c)) = use_context::<SubjectsChanged>() {
                c.update(|n| *n += 1);
            }
        }
    });
    let unchanged = {
        let latest = latest.clone();
        move || match (
            serde_json::from_str::<serde_json::Value>(&text.get()),
            serde_json::from_str::<serde_json::Value>(&latest),
        ) {
            (Ok(a), Ok(b)) => a == b,
            _ => text.with(|t| t.trim() == latest.trim()),
        }
    };
    let can_register = {
        let unchanged = unchanged.clone();
        move || parsed.with(|p| p.is_ok()) && verdict.with(|v| v.as_ref().is_some_and(|i| i.is_empty())) && !unchanged()
    };
    let versions = detail.versions.clone();
    view! {
        <div class="subject-head">
            <h2 class="mono">{detail.subject.clone()}</h2>
            <span class="badge">{format!("{} version(s)", detail.versions.len())}</span>
            <span class="badge" id="subject-level">{level_text}</span>
        </div>
        <CodeEditor id="schema-editor" value=text format=Signal::stored(format) marker=Signal::derive(move || parsed.with(|p| p.as_ref().err().map(Marker::from))) />
        <div class="checks">
            {move || match parsed.get() {
                Err(e) => view! { <p class="schema-error" id="schema-error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(_) => view! { <p class="ok" id="schema-valid">{format!("Valid {format_name}.")}</p> }.into_any(),
            }}
            {move || verdict.get().map(|issues| {
                let undecided = |m: &String| m.starts_with(meshdesk_domain::schema::jsonschema::CANNOT_JUDGE);
                if issues.is_empty() {
                    view! { <p class="ok" id="schema-verdict">{format!("Compatible with the registered versions at {level}.")}</p> }.into_any()
                } else if issues.iter().all(undecided) {
                    // No incompatibility found, but a change the check cannot judge: a person
                    // decides; registering stays off.
                    view! {
                        <div class="schema-undecided" id="schema-verdict" role="alert">
                            <strong>{format!("Undecided at {level}: this check cannot judge the change. Decide by hand before registering:")}</strong>
                            <ul>{issues.into_iter().map(|m| view! { <li class="issue">{m}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="schema-error" id="schema-verdict">
                            <strong>{format!("Not compatible at {level}:")}</strong>
                            <ul>{issues.into_iter().map(|m| view! { <li class="issue">{m}</li> }).collect_view()}</ul>
                        </div>
                    }.into_any()
                }
            })}
            <div class="form-row">
                <ConfirmButton id="register-schema" label="Register as a new version"
                    question=Signal::derive(move || format!("Register it as version {} of {register_subject}? Registered versions stay.", next_version))
                    disabled=Signal::derive(move || !can_register() || register.pending().get())
                    on_confirm=Callback::new(move |_| { register.dispatch(text.get_untracked()); }) />
            </div>
            {move || match outcome.get() {
                None => ().into_any(),
                Some(Ok(r)) => view! {
                    <p class="ok" id="register-outcome">{format!("Registered as version {} (schema id {}).", r.version, r.id)}</p>
                    {r.announced.clone().map(|a| view! { <p class="muted" id="register-announced">{a}</p> })}
                }.into_any(),
                Some(Err(e)) => view! { <ErrorMessage error=disagreement(e) id="register-outcome" /> }.into_any(),
            }}
        </div>
        <crate::components::impact::SubjectReadersPanel subject=detail.subject.clone() summary=Signal::derive(move || summary.get()) />
        <History versions=versions.clone() />
        <references::References subject=detail.subject.clone() versions reload />
    }
}

/// A schema parsed with the schemas it references in place (`(name, text)`, dependencies first).
fn parse_with(
    format: SchemaFormat,
    text: &str,
    resolved: &[(String, String)],
) -> Result<ParsedSchema, meshdesk_domain::schema::SchemaError> {
    let refs: Vec<(&str, &str)> = resolved.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    ParsedSchema::parse_with_references(format, text, &refs)
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

/// The registry refusing what Meshdesk's check passed is a disagreement between the two, said so
/// in words; the registry's own text stays in the detail.
fn disagreement(e: IpcError) -> IpcError {
    if e.code == Some(meshdesk_contract::ErrorCode::RegistryIncompatible) {
        IpcError {
            message: "Meshdesk's check finds this version compatible, but the registry refuses it. Registries differ \
                      on some rules (logical types such as timestamps, for one); the registry decides what it stores."
                .into(),
            ..e
        }
    } else {
        e
    }
}

fn format_label(schema_type: &str) -> &'static str {
    schema_type.parse::<SchemaFormat>().unwrap_or(SchemaFormat::Avro).label()
}
