//! The onboarding wizard: from a domain event to a published, contract-backed product. Every
//! change is saved as a draft in the backend; the built-in policies run here (wasm) at every
//! step and again in the backend before anything is applied.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use meshdesk_contract::{
    CheckDraft, DraftRequest, DraftState, GetDraft, GetPolicies, IpcError, ListAccess, ListDomains, ListDrafts, NoArgs,
    PublishDraft, SaveDraft, WizardDraft,
};
use meshdesk_domain::policy::{self, Finding, Policies, Rule, Severity};
use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::{
    Classification, CleanupPolicy, CompatibilityLevel, DataProduct, Domain, DomainId, Expectation, FieldSemantics,
    OutputPort, Principal, ProductId, SchemaFormat, SchemaRef, TopicName, looks_like_pii,
};

use crate::components::errors::ErrorList;
use crate::components::findings::place;
use crate::ipc;

mod contract;
mod domain;
mod impact;
mod policy_check;
mod ports;
mod product;
mod publish;
mod review;
mod schemas;
mod sources;

use contract::ContractStep;
use domain::DomainStep;
use policy_check::PolicyStep;
use ports::PortsStep;
use product::ProductStep;
use publish::PublishStep;
use review::ReviewStep;
use schemas::SchemasStep;

const STEPS: [&str; 8] =
    ["Domain", "Product", "Output ports", "Schemas", "Contract", "Policy check", "Review", "Publish"];
const DAY_MS: i64 = 86_400_000;

fn new_id() -> String {
    let r = || format!("{:08x}", (js_sys::Math::random() * 4_294_967_295.0) as u32);
    format!("draft-{}{}", r(), r())
}

const PLACEHOLDER_DOMAIN: &str = "domain";

fn empty_draft(id: String, owner: Option<Principal>) -> WizardDraft {
    WizardDraft {
        id,
        step: 0,
        product: DataProduct {
            owners: owner.into_iter().collect(),
            ..DataProduct::blank(
                ProductId::parse("domain.product").expect("a valid placeholder"),
                DomainId::parse(PLACEHOLDER_DOMAIN).expect("a valid placeholder"),
            )
        },
        new_domain: None,
    }
}

/// The wizard's start: drafts to continue, or a new product.
#[component]
pub fn WizardStart() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let drafts = LocalResource::new(move || {
        reload.track();
        async { ipc::call::<ListDrafts>(&NoArgs {}).await }
    });
    provide_context(crate::components::confirm::OpenConfirm::default());
    let discard_error = RwSignal::new(None::<IpcError>);
    let navigate = use_navigate();
    let start = move |_| {
        let id = new_id();
        navigate(&format!("/wizard/{id}"), Default::default());
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"New data product"</h1>
                <button id="wizard-new" on:click=start>"Start a new product"</button>
            </div>
            <ImportDocument />
            {move || discard_error.get().map(|e| view! { <crate::components::errors::ErrorMessage error=e id="discard-error" /> })}
            <Transition fallback=|| view! { <p class="muted">"Loading drafts…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let list = drafts.await?;
                        Ok::<_, IpcError>(if list.is_empty() {
                            view! { <p class="empty" id="drafts-empty">"No drafts. A draft is saved on every change, so you can close the app and continue later."</p> }.into_any()
                        } else {
                            view! {
                                <h2>"Drafts"</h2>
                                <ul class="cards" id="drafts">
                                    {list.into_iter().map(|d| {
                                        let title = if d.draft.product.title.is_empty() { "Untitled product".to_owned() } else { d.draft.product.title.clone() };
                                        let id = d.draft.id.clone();
                                        let question = format!("Discard the draft “{title}”? This cannot be undone.");
                                        view! {
                                            <li class="card draft" data-draft=d.draft.id.clone()>
                                                <div class="card-head">
                                                    <h3><A href=format!("/wizard/{}", d.draft.id)>{title.clone()}</A></h3>
                                                    <span class="badge">{d.status.as_str()}</span>
                                                </div>
                                                <p class="muted">{format!("Step {} of 8: {}", d.draft.step + 1, STEPS[d.draft.step.min(7) as usize])}</p>
                                                {(d.status != meshdesk_contract::DraftStatus::Publishing).then(|| view! {
                                                    <crate::components::confirm::ConfirmButton id=format!("discard-{}", id) label="Discard" class="danger discard"
                                                        question=Signal::derive(move || question.clone())
                                                        on_confirm=Callback::new(move |_| {
                                                            let id = id.clone();
                                                            leptos::task::spawn_local(async move {
                                                                match ipc::call::<meshdesk_contract::DiscardDraft>(&DraftRequest { id }).await {
                                                                    Ok(_) => { discard_error.set(None); reload.update(|n| *n += 1) }
                                                                    Err(e) => discard_error.set(Some(e)),
                                                                }
                                                            });
                                                        }) />
                                                })}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// Starts a draft from an ODCS contract or an AsyncAPI document pasted in; says what the import
/// assumed, then opens the draft.
#[component]
fn ImportDocument() -> impl IntoView {
    use meshdesk_contract::{ImportDraft, ImportRequest};
    let text = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<meshdesk_contract::ImportedDraft, IpcError>>);
    let busy = RwSignal::new(false);
    let import = move |_| {
        let req = ImportRequest { text: text.get_untracked() };
        busy.set(true);
        leptos::task::spawn_local(async move {
            outcome.set(Some(ipc::call::<ImportDraft>(&req).await));
            busy.set(false);
        });
    };
    view! {
        <details class="import-document" id="import-document">
            <summary>"Import an ODCS contract or an AsyncAPI document"</summary>
            <p class="muted">"Paste the document (JSON or YAML). ODCS v3 and AsyncAPI 2.x and 3.0 are read; the draft opens at its first step so you can check everything before publishing."</p>
            <textarea id="import-text" rows="10" spellcheck="false" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <button id="import-submit" prop:disabled=move || busy.get() || text.with(|t| t.trim().is_empty()) on:click=import>"Import as a draft"</button>
            {move || outcome.get().map(|o| match o {
                Ok(d) => view! {
                    <div class="ok" id="import-outcome">
                        <p>{format!("Read as {}: ", d.source)}<A href=format!("/wizard/{}", d.draft.draft.id)>{format!("open the draft of {}", d.draft.draft.product.title)}</A></p>
                        <ul>{d.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <crate::components::errors::ErrorMessage error=e id="import-outcome" /> }.into_any(),
            })}
        </details>
    }
}

/// One draft in the wizard.
#[component]
pub fn WizardPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let loaded = LocalResource::new(move || {
        let id = id();
        async move {
            match ipc::call::<GetDraft>(&DraftRequest { id: id.clone() }).await {
                Ok(d) => Ok(d),
                // A new draft: owned by me by default.
                Err(_) => {
                    let me = ipc::call::<ListAccess>(&NoArgs {}).await.ok().and_then(|o| o.viewer);
                    let owner = me.and_then(|m| Principal::parse(&m).ok());
                    ipc::call::<SaveDraft>(&empty_draft(id, owner)).await
                }
            }
        }
    });
    view! {
        <section class="page wizard">
            <Transition fallback=|| view! { <p class="muted">"Opening the draft…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let d = loaded.await?;
                        Ok::<_, IpcError>(view! { <Wizard initial=d /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The characters of a typed name that cannot be in a topic or product name (anything but
/// ASCII letters, digits and the separators space, `-`, `_` and `.`), for a clear message
/// instead of silently dropping them.
fn unusable_chars(s: &str) -> Vec<char> {
    let mut out: Vec<char> =
        s.chars().filter(|c| !c.is_ascii_alphanumeric() && !matches!(c, ' ' | '-' | '_' | '.')).collect();
    out.dedup();
    out
}

fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

/// An Avro record schema from `name:type:doc` lines (type: string, int, long, double,
/// boolean, timestamp).
pub fn schema_from_fields(record: &str, namespace: &str, lines: &str) -> String {
    let fields: Vec<serde_json::Value> = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, ':').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let ty = match parts.next().unwrap_or("string") {
                "timestamp" => serde_json::json!({"type": "long", "logicalType": "timestamp-millis"}),
                "" => serde_json::json!("string"),
                t => serde_json::json!(t),
            };
            let doc = parts.next().unwrap_or_default();
            serde_json::json!({"name": name, "type": ty, "doc": doc})
        })
        .collect();
    let schema = serde_json::json!({"type": "record", "name": record, "namespace": namespace, "fields": fields});
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

fn record_name(event: &str) -> String {
    event
        .split('-')
        .map(|w| w.chars().take(1).flat_map(char::to_uppercase).chain(w.chars().skip(1)).collect::<String>())
        .collect()
}

fn findings_at(all: &[Finding], prefix: &str) -> Vec<Finding> {
    all.iter().filter(|f| f.at.starts_with(prefix)).cloned().collect()
}

pub(crate) fn findings_view(list: Vec<Finding>) -> AnyView {
    if list.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="findings">
            {list.into_iter().map(|f| {
                let class = if f.severity == Severity::Error { "finding error" } else { "finding warning" };
                view! { <li class=class data-policy=f.policy.clone() data-at=f.at.clone()><strong>{place(&f.at)}</strong>": "{f.message.clone()}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Wizard(initial: DraftState) -> impl IntoView {
    let draft = RwSignal::new(initial.draft.clone());
    let status = RwSignal::new(initial.clone());
    let save_error = RwSignal::new(None::<String>);
    // Saved on every change.
    Effect::new(move |prev: Option<()>| {
        let d = draft.get();
        if prev.is_some() {
            leptos::task::spawn_local(async move {
                match ipc::call::<SaveDraft>(&d).await {
                    Ok(s) => {
                        save_error.set(None);
                        status.set(s);
                    }
                    Err(e) => save_error.set(Some(e.message)),
                }
            });
        }
    });
    // The built-in policies and the rules published in the log, as the backend checks them
    // before publishing (until the rules arrive, and should reading them fail, the built-in
    // ones alone: the backend's check still has the last word).
    let published = LocalResource::new(|| async { ipc::call::<GetPolicies>(&NoArgs {}).await });
    let in_force = Memo::new(move |_| published.get().and_then(Result::ok).map(|o| o.in_force()).unwrap_or_default());
    let findings = Memo::new(move |_| {
        in_force.with(|rules| policy::check_with(&draft.get().product, &Policies::default(), rules, &[]))
    });
    // Only a change of step re-creates the step's view (typing must not lose focus).
    let step_memo = Memo::new(move |_| draft.with(|d| d.step.min(7)));
    let step = move || step_memo.get();
    let go = move |n: u32| draft.update(|d| d.step = n.min(7));
    // A new draft starts on a placeholder domain until one is chosen or registered.
    let domain_chosen =
        move || draft.with(|d| d.new_domain.is_some() || d.product.domain.as_str() != PLACEHOLDER_DOMAIN);
    view! {
        <div class="page-head">
            <h1>{move || { let t = draft.with(|d| d.product.title.clone()); if t.is_empty() { "New data product".to_owned() } else { t } }}</h1>
            <span class="muted" id="draft-saved">{move || match save_error.get() {
                Some(e) => format!("not saved: {e}"),
                None => format!("draft saved · {}", status.with(|s| s.status.as_str())),
            }}</span>
        </div>
        <ol class="wizard-steps">
            {STEPS.iter().enumerate().map(|(i, name)| {
                let i = i as u32;
                view! {
                    <li class:current=move || step() == i>
                        <button class="wizard-step" data-step=i.to_string() on:click=move |_| go(i)>{format!("{}. {name}", i + 1)}</button>
                    </li>
                }
            }).collect_view()}
        </ol>
        <div class="wizard-body" id="wizard-body">
            {move || match step() {
                0 => view! { <DomainStep draft /> }.into_any(),
                1 => view! { <ProductStep draft findings /> }.into_any(),
                2 => view! { <PortsStep draft findings /> }.into_any(),
                3 => view! { <SchemasStep draft findings /> }.into_any(),
                4 => view! { <ContractStep draft findings /> }.into_any(),
                5 => view! { <PolicyStep findings in_force /> }.into_any(),
                6 => view! { <ReviewStep draft /> }.into_any(),
                _ => view! { <PublishStep draft status findings /> }.into_any(),
            }}
        </div>
        <div class="wizard-nav">
            <button id="wizard-back" class="secondary" prop:disabled=move || step() == 0 on:click=move |_| go(step().saturating_sub(1))>"Back"</button>
            {move || (step() == 0 && !domain_chosen()).then(|| view! { <span class="muted" id="wizard-next-hint">"Choose a domain to go on."</span> })}
            <button id="wizard-next" prop:disabled=move || step() == 7 || (step() == 0 && !domain_chosen()) on:click=move |_| go(step() + 1)>"Next"</button>
        </div>
    }
}

fn text_input(
    id: &'static str,
    label: &'static str,
    get: impl Fn() -> String + Send + Sync + 'static,
    set: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label>{label}<input id=id prop:value=get on:input=move |ev| set(event_target_value(&ev)) /></label>
    }
}

/// An input whose text is parsed into the draft when it is left (so typing is never reformatted).
fn list_input(id: &'static str, label: &'static str, initial: String, set: impl Fn(String) + 'static) -> impl IntoView {
    view! {
        <label>{label}<input id=id prop:value=initial on:change=move |ev| set(event_target_value(&ev)) /></label>
    }
}
