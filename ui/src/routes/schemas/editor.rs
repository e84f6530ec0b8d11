//! A subject's editor: the latest schema as text, checked as typed (parse, compatibility with the
//! registered versions, who it reaches), and registering it as a new version.

use leptos::prelude::*;
use meshdesk_contract::{
    CompatibilityLevel, IpcError, RegisterRequest, RegisterSchema, Registered, SchemaFormat, SchemaVersionView,
    SubjectDetail,
};
use meshdesk_domain::change::ImpactSummary;
use meshdesk_domain::schema::{ParsedSchema, SchemaError, check_messages};

use super::{History, SubjectsChanged, pretty, references};
use crate::components::code_editor::{CodeEditor, Marker};
use crate::components::confirm::ConfirmButton;
use crate::components::errors::ErrorMessage;
use crate::ipc;

/// A registration's outcome, kept by the subject view across the editor being drawn again.
type Outcome = RwSignal<Option<Result<Registered, IpcError>>>;

/// The schema as typed, parsed with the latest version's references in place.
type Parsed = Memo<Result<ParsedSchema, SchemaError>>;

/// Each registered version parsed (or why not), oldest first.
type Versions = Vec<(u32, Result<ParsedSchema, String>)>;

/// The latest schema of a subject, editable, with its checks, registration and the panels below.
#[component]
pub(super) fn Editor(detail: SubjectDetail, reload: RwSignal<u32>, outcome: Outcome) -> impl IntoView {
    let latest = detail.versions.last().map(|v| v.schema.clone()).unwrap_or_default();
    let format: SchemaFormat =
        detail.versions.last().and_then(|v| v.schema_type.parse().ok()).unwrap_or(SchemaFormat::Avro);
    let format_name = format.label();
    let text = RwSignal::new(if format == SchemaFormat::Protobuf { latest.clone() } else { pretty(&latest) });
    let level = detail.level.unwrap_or(CompatibilityLevel::Backward);
    let level_text = level_text(&detail);
    let previous = parsed_versions(format, &detail.versions);
    // A new version keeps the latest's references (the service registers it with them).
    let resolved = detail.versions.last().map(|v| v.resolved.clone()).unwrap_or_default();
    let parsed = Memo::new(move |_| parse_with(format, &text.get(), &resolved));
    let verdict = verdict_memo(parsed, previous.clone(), level);
    let summary = summary_memo(parsed, text, previous, latest.clone(), level);
    let register_subject = detail.subject.clone();
    let next_version = detail.versions.iter().map(|v| v.version).max().unwrap_or(0) + 1;
    let register = register_action(detail.subject.clone(), format, reload, outcome);
    let can_register = can_register(text, latest, parsed, verdict);
    let versions = detail.versions.clone();
    view! {
        <SubjectHead subject=detail.subject.clone() count=detail.versions.len() level_text />
        <CodeEditor id="schema-editor" value=text format=Signal::stored(format) marker=Signal::derive(move || parsed.with(|p| p.as_ref().err().map(Marker::from))) />
        <div class="checks">
            <ParseStatus parsed format_name />
            <VerdictView verdict level />
            <div class="form-row">
                <ConfirmButton id="register-schema" label="Register as a new version"
                    question=Signal::derive(move || format!("Register it as version {} of {register_subject}? Registered versions stay.", next_version))
                    disabled=Signal::derive(move || !can_register() || register.pending().get())
                    on_confirm=Callback::new(move |_| { register.dispatch(text.get_untracked()); }) />
            </div>
            <RegisterOutcome outcome />
        </div>
        <crate::components::impact::SubjectReadersPanel subject=detail.subject.clone() summary=Signal::derive(move || summary.get()) />
        <History versions=versions.clone() />
        <references::References subject=detail.subject.clone() versions reload />
    }
}

/// The subject's name, how many versions it has and its compatibility level.
#[component]
fn SubjectHead(subject: String, count: usize, level_text: String) -> impl IntoView {
    view! {
        <div class="subject-head">
            <h2 class="mono">{subject}</h2>
            <span class="badge">{format!("{} version(s)", count)}</span>
            <span class="badge" id="subject-level">{level_text}</span>
        </div>
    }
}

/// The subject's compatibility level in words, or the one assumed when the registry gave none.
fn level_text(detail: &SubjectDetail) -> String {
    match (&detail.level, &detail.level_note) {
        (Some(l), _) => format!("{l}"),
        (None, Some(note)) => format!("BACKWARD assumed ({note})"),
        (None, None) => "BACKWARD assumed".into(),
    }
}

/// Every registered version parsed in the subject's format, or the parser's message.
fn parsed_versions(format: SchemaFormat, versions: &[SchemaVersionView]) -> Versions {
    versions
        .iter()
        .map(|v| (v.version, parse_with(format, &v.schema, &v.resolved).map_err(|e| e.to_string())))
        .collect()
}

/// The versions that parsed, as the compatibility check and the impact take them.
fn parsed_only(previous: &Versions) -> Vec<(u32, &ParsedSchema)> {
    previous.iter().filter_map(|(v, s)| s.as_ref().ok().map(|s| (*v, s))).collect()
}

/// The compatibility check's messages against the registered versions, once the text parses.
fn verdict_memo(parsed: Parsed, previous: Versions, level: CompatibilityLevel) -> Memo<Option<Vec<String>>> {
    Memo::new(move |_| {
        let new = parsed.get().ok()?;
        let prev = parsed_only(&previous);
        Some(check_messages(level, &prev, &new))
    })
}

/// Who the version reaches, once it differs from the registered one.
fn summary_memo(
    parsed: Parsed,
    text: RwSignal<String>,
    previous: Versions,
    latest: String,
    level: CompatibilityLevel,
) -> Memo<Option<ImpactSummary>> {
    Memo::new(move |_| {
        let new = parsed.get().ok()?;
        if text.with(|t| t.trim() == latest.trim()) {
            return None;
        }
        let prev = parsed_only(&previous);
        Some(meshdesk_domain::change::impact(level, &prev, &new))
    })
}

/// Registers a text as the subject's next version; its outcome goes to `outcome`, and a success
/// reads the subject and the subject list again.
fn register_action(
    subject: String,
    format: SchemaFormat,
    reload: RwSignal<u32>,
    outcome: Outcome,
) -> Action<String, Result<Registered, IpcError>> {
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
    register
}

/// Whether the text may be registered: it parses, is compatible, and differs from the latest.
fn can_register(
    text: RwSignal<String>,
    latest: String,
    parsed: Parsed,
    verdict: Memo<Option<Vec<String>>>,
) -> impl Fn() -> bool + Clone + Send + Sync + 'static {
    let unchanged = move || match (
        serde_json::from_str::<serde_json::Value>(&text.get()),
        serde_json::from_str::<serde_json::Value>(&latest),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => text.with(|t| t.trim() == latest.trim()),
    };
    move || parsed.with(|p| p.is_ok()) && verdict.with(|v| v.as_ref().is_some_and(|i| i.is_empty())) && !unchanged()
}

/// Whether the text parses: the parser's error, or that it is valid.
#[component]
fn ParseStatus(parsed: Parsed, format_name: &'static str) -> impl IntoView {
    move || match parsed.get() {
        Err(e) => view! { <p class="schema-error" id="schema-error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(_) => view! { <p class="ok" id="schema-valid">{format!("Valid {format_name}.")}</p> }.into_any(),
    }
}

/// The compatibility verdict: compatible, undecided (a person decides) or not compatible.
#[component]
fn VerdictView(verdict: Memo<Option<Vec<String>>>, level: CompatibilityLevel) -> impl IntoView {
    move || verdict.get().map(|issues| verdict_view(issues, level))
}

/// The verdict for the check's messages at a level.
fn verdict_view(issues: Vec<String>, level: CompatibilityLevel) -> AnyView {
    let undecided = |m: &String| m.starts_with(meshdesk_domain::schema::jsonschema::CANNOT_JUDGE);
    if issues.is_empty() {
        view! { <p class="ok" id="schema-verdict">{format!("Compatible with the registered versions at {level}.")}</p> }
            .into_any()
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
        }
        .into_any()
    }
}

/// The last registration's outcome: the new version and id, or the refusal.
#[component]
fn RegisterOutcome(outcome: Outcome) -> impl IntoView {
    move || {
        match outcome.get() {
        None => ().into_any(),
        Some(Ok(r)) => view! {
            <p class="ok" id="register-outcome">{format!("Registered as version {} (schema id {}).", r.version, r.id)}</p>
            {r.announced.clone().map(|a| view! { <p class="muted" id="register-announced">{a}</p> })}
        }.into_any(),
        Some(Err(e)) => view! { <ErrorMessage error=disagreement(e) id="register-outcome" /> }.into_any(),
    }
    }
}

/// A schema parsed with the schemas it references in place (`(name, text)`, dependencies first).
fn parse_with(format: SchemaFormat, text: &str, resolved: &[(String, String)]) -> Result<ParsedSchema, SchemaError> {
    let refs: Vec<(&str, &str)> = resolved.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    ParsedSchema::parse_with_references(format, text, &refs)
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
