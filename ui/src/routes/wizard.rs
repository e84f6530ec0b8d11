//! The onboarding wizard: from a domain event to a published, contract-backed product. Every
//! change is saved as a draft in the backend; the built-in policies run here (wasm) at every
//! step and again in the backend before anything is applied.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use meshdesk_contract::{
    CheckDraft, DraftRequest, DraftState, GetDraft, IpcError, ListAccess, ListDomains, ListDrafts, NoArgs,
    PublishDraft, SaveDraft, WizardDraft,
};
use meshdesk_domain::policy::{self, Finding, Policies, Severity};
use meshdesk_domain::schema::AvroSchema;
use meshdesk_domain::{
    Classification, CleanupPolicy, CompatibilityLevel, Contract, DataProduct, Domain, DomainId, Expectation,
    FieldSemantics, OutputPort, Principal, ProductId, ProductStatus, SchemaFormat, SchemaRef, Sla, TopicName,
    looks_like_pii,
};

use crate::components::errors::ErrorList;
use crate::ipc;

const STEPS: [&str; 8] =
    ["Domain", "Product", "Output ports", "Schemas", "Contract", "Policy check", "Review", "Publish"];
const DAY_MS: i64 = 86_400_000;

fn new_id() -> String {
    let r = || format!("{:08x}", (js_sys::Math::random() * 4_294_967_295.0) as u32);
    format!("draft-{}{}", r(), r())
}

fn empty_draft(id: String, owner: Option<Principal>) -> WizardDraft {
    WizardDraft {
        id,
        step: 0,
        product: DataProduct {
            id: ProductId::parse("domain.product").expect("a valid placeholder"),
            domain: DomainId::parse("domain").expect("a valid placeholder"),
            title: String::new(),
            description: String::new(),
            owners: owner.into_iter().collect(),
            classification: Classification::Internal,
            tags: vec![],
            status: ProductStatus::Published,
            version: "1.0.0".into(),
            output_ports: vec![],
            input_ports: vec![],
            sla: Sla::default(),
            contract: Contract::default(),
            sunset: None,
        },
        new_domain: None,
    }
}

/// The wizard's start: drafts to continue, or a new product.
#[component]
pub fn WizardStart() -> impl IntoView {
    let drafts = LocalResource::new(|| async { ipc::call::<ListDrafts>(&NoArgs {}).await });
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
            <Transition fallback=|| view! { <p class="muted">"Loading drafts…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let list = drafts.await?;
                        Ok::<_, IpcError>(if list.is_empty() {
                            view! { <p class="empty">"No drafts. A draft is saved on every change, so you can close the app and continue later."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="cards" id="drafts">
                                    {list.into_iter().map(|d| view! {
                                        <li class="card draft" data-draft=d.draft.id.clone()>
                                            <A href=format!("/wizard/{}", d.draft.id)>{if d.draft.product.title.is_empty() { "Untitled product".to_owned() } else { d.draft.product.title.clone() }}</A>
                                            <span class="muted">{format!(" · {} · step {} of 8 ({})", d.status, d.draft.step + 1, STEPS[d.draft.step.min(7) as usize])}</span>
                                        </li>
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

fn findings_view(list: Vec<Finding>) -> AnyView {
    if list.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="findings">
            {list.into_iter().map(|f| {
                let class = if f.severity == Severity::Error { "finding error" } else { "finding warning" };
                view! { <li class=class data-policy=f.policy.clone()><strong>{f.policy.clone()}</strong>" · "<span class="mono">{f.at.clone()}</span>": "{f.message.clone()}</li> }
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
    let findings = Memo::new(move |_| policy::check(&draft.get().product, &Policies::default(), &[]));
    // Only a change of step re-creates the step's view (typing must not lose focus).
    let step_memo = Memo::new(move |_| draft.with(|d| d.step.min(7)));
    let step = move || step_memo.get();
    let go = move |n: u32| draft.update(|d| d.step = n.min(7));
    view! {
        <div class="page-head">
            <h1>{move || { let t = draft.with(|d| d.product.title.clone()); if t.is_empty() { "New data product".to_owned() } else { t } }}</h1>
            <span class="muted" id="draft-saved">{move || match save_error.get() {
                Some(e) => format!("not saved: {e}"),
                None => format!("draft saved · {}", status.with(|s| s.status.clone())),
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
                5 => view! { <PolicyStep findings /> }.into_any(),
                6 => view! { <ReviewStep draft /> }.into_any(),
                _ => view! { <PublishStep draft status findings /> }.into_any(),
            }}
        </div>
        <div class="wizard-nav">
            <button id="wizard-back" prop:disabled=move || step() == 0 on:click=move |_| go(step().saturating_sub(1))>"Back"</button>
            <button id="wizard-next" prop:disabled=move || step() == 7 on:click=move |_| go(step() + 1)>"Next"</button>
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

#[component]
fn DomainStep(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let domains = LocalResource::new(|| async { ipc::call::<ListDomains>(&NoArgs {}).await });
    let set_domain = move |id: String| {
        draft.update(|d| {
            if let Ok(dom) = DomainId::parse(&id) {
                let name = d.product.id.name().to_owned();
                d.product.id = ProductId::new(&dom, &name).unwrap_or(d.product.id.clone());
                d.product.domain = dom;
                for p in &mut d.product.output_ports {
                    let event = p.topic.as_str().split_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
                    if let Ok(t) = TopicName::for_event(&d.product.domain, &event) {
                        p.topic = t.clone();
                        for s in p.value_schema.iter_mut() {
                            s.subject = meshdesk_domain::subject_for(&t, false);
                        }
                    }
                }
            }
        })
    };
    let new_id_text = RwSignal::new(String::new());
    let new_domain_id = Memo::new(move |_| draft.with(|d| d.new_domain.as_ref().map(|n| n.id.to_string())));
    view! {
        <h2>"1. Domain"</h2>
        <p class="muted">"Choose one of your domains, or register a new one."</p>
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let list = domains.await?;
                    Ok::<_, IpcError>(view! {
                        <ul class="domain-choices">
                            {list.into_iter().map(|d| {
                                let id = d.id.clone();
                                let on = { let id = id.clone(); move || draft.with(|x| x.product.domain.as_str() == id && x.new_domain.is_none()) };
                                view! {
                                    <li>
                                        <label>
                                            <input type="radio" name="domain" class="domain-choice" value=d.id.clone() prop:checked=on
                                                on:change=move |_| { draft.update(|x| x.new_domain = None); set_domain(id.clone()) } />
                                            <strong>{d.name.clone()}</strong>" "<span class="mono">{d.id.clone()}</span>" · "{d.owners.join(", ")}
                                        </label>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <details class="card" open=move || draft.with(|d| d.new_domain.is_some())>
            <summary>"Register a new domain"</summary>
            <div class="form-grid">
                <label>"Id (kebab-case)"<input id="new-domain-id" prop:value=move || new_id_text.get() on:input=move |ev| new_id_text.set(event_target_value(&ev)) /></label>
                <button id="new-domain-use" on:click=move |_| {
                    match DomainId::parse(new_id_text.get_untracked().trim()) {
                        Ok(id) => {
                            let owners = draft.with_untracked(|d| d.product.owners.clone());
                            draft.update(|d| d.new_domain = Some(Domain { id: id.clone(), name: id.to_string(), description: String::new(), owners, contact: String::new() }));
                            set_domain(id.to_string());
                        }
                        Err(e) => new_id_text.set(format!("{} ({e})", new_id_text.get_untracked())),
                    }
                }>"Use this domain"</button>
            </div>
            {move || new_domain_id.get().map(|nd| view! {
                <div class="form-grid">
                    {text_input("new-domain-name", "Name", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.name.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.name = v }))}
                    {text_input("new-domain-description", "Description", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.description.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.description = v }))}
                    {list_input("new-domain-owners", "Owners (principals, comma separated)", draft.with_untracked(|d| d.new_domain.as_ref().map(|n| n.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.owners = v.split(',').filter_map(|o| Principal::parse(o.trim()).ok()).collect() }))}
                    {text_input("new-domain-contact", "Contact", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.contact.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.contact = v }))}
                    <p class="muted">{format!("Domain {nd} will be registered when the product is published.")}</p>
                </div>
            })}
        </details>
    }
}

#[component]
fn ProductStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    let name_error = RwSignal::new(None::<String>);
    let catalog = LocalResource::new(|| async {
        ipc::call::<meshdesk_contract::ListProducts>(&meshdesk_contract::ProductQuery::default()).await
    });
    view! {
        <h2>"2. Product"</h2>
        <div class="form-grid">
            <label>"Name (kebab-case)"
                // The text as typed is kept here; the draft takes it once it is a valid name.
                <input id="product-name" prop:value=draft.with_untracked(|d| d.product.id.name().to_owned())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        let id = draft.with_untracked(|d| ProductId::new(&d.product.domain, v.trim()));
                        match id {
                            Ok(id) => { draft.update(|d| d.product.id = id); name_error.set(None) }
                            Err(e) => name_error.set(Some(e.to_string())),
                        }
                    } />
            </label>
            {text_input("product-title", "Title", move || draft.with(|d| d.product.title.clone()), move |v| draft.update(|d| d.product.title = v))}
            <label>"Classification"
                <select id="product-classification" on:change=move |ev| { if let Ok(c) = event_target_value(&ev).parse() { draft.update(|d| d.product.classification = c) } }>
                    {Classification::ALL.iter().map(|c| view! { <option value=c.as_str() selected=move || draft.with(|d| d.product.classification == *c)>{c.as_str()}</option> }).collect_view()}
                </select>
            </label>
            {list_input("product-tags", "Tags (comma separated)", draft.with_untracked(|d| d.product.tags.join(", ")), move |v| draft.update(|d| d.product.tags = v.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()))}
            {list_input("product-owners", "Owners (principals, comma separated)", draft.with_untracked(|d| d.product.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")), move |v| draft.update(|d| d.product.owners = v.split(',').filter_map(|o| Principal::parse(o.trim()).ok()).collect()))}
            <label>"Input ports (products it is derived from)"
                <select id="product-inputs" multiple=true on:change=move |ev| {
                    use wasm_bindgen::JsCast;
                    let Some(sel) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok()) else { return };
                    let opts = sel.selected_options();
                    let chosen: Vec<ProductId> = (0..opts.length())
                        .filter_map(|i| opts.item(i))
                        .filter_map(|o| o.get_attribute("value"))
                        .filter_map(|v| ProductId::parse(&v).ok())
                        .collect();
                    draft.update(|d| d.product.input_ports = chosen);
                }>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = catalog.await.unwrap_or_default();
                            list.into_iter().map(|p| {
                                let id = p.id.clone();
                                let on = draft.with_untracked(|d| d.product.input_ports.iter().any(|x| x.as_str() == id));
                                view! { <option value=p.id.clone() selected=on>{format!("{} ({})", p.title, p.id)}</option> }
                            }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
        </div>
        <label class="wide">"Description"<textarea id="product-description" rows="3" prop:value=move || draft.with(|d| d.product.description.clone()) on:input=move |ev| draft.update(|d| d.product.description = event_target_value(&ev))></textarea></label>
        <p class="muted mono">{move || format!("id: {}", draft.with(|d| d.product.id.to_string()))}</p>
        {move || name_error.get().map(|e| view! { <p class="error">{e}</p> })}
        {move || findings_view(findings_at(&findings.get(), "product."))}
    }
}

#[component]
fn PortsStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    let event = RwSignal::new(String::new());
    // Collisions need the cluster's topics: the backend checks the ports as they change.
    let ports = Memo::new(move |_| {
        draft.with(|d| d.product.output_ports.iter().map(|p| p.topic.to_string()).collect::<Vec<_>>())
    });
    let backend = LocalResource::new(move || {
        ports.track();
        let d = draft.get_untracked();
        async move { ipc::call::<CheckDraft>(&d).await }
    });
    let add = move |_| {
        let name = kebab(&event.get_untracked());
        draft.update(|d| {
            if let Ok(topic) = TopicName::for_event(&d.product.domain, &name) {
                d.product.output_ports.push(OutputPort {
                    value_schema: None,
                    key_schema: None,
                    description: String::new(),
                    partitions: 3,
                    replication_factor: 1,
                    retention_ms: 7 * DAY_MS,
                    cleanup_policy: CleanupPolicy::Delete,
                    topic,
                });
            }
        });
        event.set(String::new());
    };
    view! {
        <h2>"3. Output ports"</h2>
        <p class="muted">"Each domain event becomes a topic named <domain>.<event-name>."</p>
        <div class="form-grid">
            <label>"Event name"<input id="port-event" placeholder="stock-reserved" prop:value=move || event.get() on:input=move |ev| event.set(event_target_value(&ev)) /></label>
            <p class="mono" id="port-topic-preview">{move || {
                let name = kebab(&event.get());
                if name.is_empty() { return String::new() }
                let topic = format!("{}.{name}", draft.with(|d| d.product.domain.to_string()));
                match policy::check_topic_name(&topic) { Ok(t) => format!("topic: {t} ✓"), Err(e) => e }
            }}</p>
            <button id="port-add" on:click=add>"Add port"</button>
        </div>
        {move || draft.with(|d| d.product.output_ports.clone()).into_iter().enumerate().map(|(i, p)| {
            let at = format!("ports[{i}].");
            let num = move |f: fn(&mut OutputPort, i64)| move |ev: leptos::ev::Event| {
                if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() { draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) { f(p, v) }) }
            };
            view! {
                <div class="card port-edit" data-topic=p.topic.to_string()>
                    <h3 class="mono">{p.topic.to_string()}</h3>
                    <div class="form-grid">
                        <label>"Partitions"<input class="port-partitions" type="number" min="1" prop:value=p.partitions.to_string() on:change=num(|p, v| p.partitions = v as i32) /></label>
                        <label>"Replication factor"<input class="port-replication" type="number" min="1" prop:value=p.replication_factor.to_string() on:change=num(|p, v| p.replication_factor = v as i32) /></label>
                        <label>"Retention (days, -1 forever)"<input class="port-retention" type="number" prop:value=(if p.retention_ms < 0 { -1 } else { p.retention_ms / DAY_MS }).to_string() on:change=num(|p, v| p.retention_ms = if v < 0 { -1 } else { v * DAY_MS }) /></label>
                        <label>"Cleanup policy"
                            <select class="port-cleanup" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let c = match v.as_str() { "compact" => CleanupPolicy::Compact, "compact,delete" => CleanupPolicy::CompactDelete, _ => CleanupPolicy::Delete };
                                draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) { p.cleanup_policy = c })
                            }>
                                {["delete", "compact", "compact,delete"].into_iter().map(|c| view! { <option value=c selected=p.cleanup_policy.as_str() == c>{c}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Description"<input class="port-description" prop:value=p.description.clone() on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) { p.description = v }) } /></label>
                        <button class="port-remove" on:click=move |_| draft.update(|d| { if i < d.product.output_ports.len() { d.product.output_ports.remove(i); } })>"Remove"</button>
                    </div>
                    {findings_view(findings_at(&findings.get_untracked(), &at).into_iter().filter(|f| !f.at.contains("fields") && !f.at.contains("schema")).collect())}
                </div>
            }
        }).collect_view()}
        {move || findings_view(findings_at(&findings.get(), "ports").into_iter().filter(|f| f.at == "ports").collect())}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let collisions: Vec<Finding> = backend
                    .await
                    .map(|c| c.findings.into_iter().filter(|f| f.policy == "naming" && f.severity == Severity::Warning).collect())
                    .unwrap_or_default();
                view! { <div id="port-collisions">{findings_view(collisions)}</div> }
            })}
        </Transition>
    }
}

#[component]
fn SchemasStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    view! {
        <h2>"4. Schemas"</h2>
        <p class="muted">"The value schema of each port (subject <topic>-value). Start from a list of fields, one per line as name:type:description (types: string, int, long, double, boolean, timestamp)."</p>
        {move || draft.with(|d| d.product.output_ports.clone()).into_iter().enumerate().map(|(i, p)| {
            let fields = RwSignal::new(String::new());
            let topic = p.topic.clone();
            let generate = move |_| {
                let event = topic.as_str().split_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
                let ns = format!("example.{}", topic.as_str().split('.').next().unwrap_or_default());
                let schema = schema_from_fields(&record_name(&event), &ns, &fields.get_untracked());
                draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                    let subject = meshdesk_domain::subject_for(&p.topic, false);
                    let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
                    p.value_schema = Some(SchemaRef { subject, format: SchemaFormat::Avro, schema, id: None, version: None, compatibility: level });
                });
            };
            let text = p.value_schema.as_ref().map(|s| s.schema.clone()).unwrap_or_default();
            let error = match AvroSchema::parse(&text) { Ok(_) if !text.is_empty() => "Valid Avro.".to_owned(), Ok(_) => String::new(), Err(e) => e.to_string() };
            let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
            let at = format!("ports[{i}].");
            view! {
                <div class="card schema-edit" data-topic=p.topic.to_string()>
                    <h3 class="mono">{format!("{}-value", p.topic)}</h3>
                    <label class="wide">"Fields"<textarea class="schema-fields" rows="3" placeholder="reservationId:string:The reservation's id." prop:value=move || fields.get() on:input=move |ev| fields.set(event_target_value(&ev))></textarea></label>
                    <button class="schema-generate" on:click=generate>"Generate the schema"</button>
                    <label class="wide">"Avro schema"
                        <textarea class="schema-text mono" rows="10" prop:value=text on:change=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                                let subject = meshdesk_domain::subject_for(&p.topic, false);
                                let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
                                p.value_schema = Some(SchemaRef { subject, format: SchemaFormat::Avro, schema: v, id: None, version: None, compatibility: level });
                            })
                        }></textarea>
                    </label>
                    <p class="schema-status">{error}</p>
                    <Compatibility subject=meshdesk_domain::subject_for(&p.topic, false) text=p.value_schema.as_ref().map(|s| s.schema.clone()).unwrap_or_default() level=level />
                    <label>"Compatibility level"
                        <select class="schema-level" on:change=move |ev| {
                            if let Ok(l) = event_target_value(&ev).parse::<CompatibilityLevel>() {
                                draft.update(|d| if let Some(s) = d.product.output_ports.get_mut(i).and_then(|p| p.value_schema.as_mut()) { s.compatibility = l })
                            }
                        }>
                            {CompatibilityLevel::ALL.iter().map(|l| view! { <option value=l.as_str() selected=*l == level>{l.as_str()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <input type="checkbox" class="schema-key" prop:checked=p.key_schema.is_some() on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                                p.key_schema = on.then(|| SchemaRef {
                                    subject: meshdesk_domain::subject_for(&p.topic, true),
                                    format: SchemaFormat::Avro,
                                    schema: r#"{"type": "string"}"#.into(),
                                    id: None,
                                    version: None,
                                    compatibility: CompatibilityLevel::BackwardTransitive,
                                });
                            })
                        } />
                        " A key schema (subject <topic>-key, a string key)"
                    </label>
                    {findings_view(findings_at(&findings.get_untracked(), &at).into_iter().filter(|f| f.at.contains("schema") || f.policy == "compatibility").collect())}
                </div>
            }
        }).collect_view()}
    }
}

fn fields_of(d: &WizardDraft) -> Vec<(String, Option<String>)> {
    d.product
        .output_ports
        .iter()
        .filter_map(|p| p.value_schema.as_ref())
        .filter_map(|s| AvroSchema::parse(&s.schema).ok())
        .flat_map(|a| a.field_paths())
        .collect()
}

#[component]
fn ContractStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    // Suggest the PII flag for fields named like personal data that the contract says nothing about.
    draft.update(|d| {
        for (path, doc) in fields_of(d) {
            if !d.product.contract.fields.iter().any(|f| f.path == path) {
                let name = path.rsplit('.').next().unwrap_or(&path).to_owned();
                d.product.contract.fields.push(FieldSemantics {
                    pii: looks_like_pii(&name),
                    description: doc.unwrap_or_default(),
                    path,
                    ..Default::default()
                });
            }
        }
    });
    let set_field = move |i: usize, f: fn(&mut FieldSemantics, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some(x) = d.product.contract.fields.get_mut(i) {
                    f(x, v)
                }
            })
        }
    };
    view! {
        <h2>"5. Contract"</h2>
        <table class="contract-edit" id="contract-edit">
            <thead><tr><th>"Field"</th><th>"Meaning"</th><th>"Unit"</th><th>"Example"</th><th>"PII"</th><th>"Never null"</th></tr></thead>
            <tbody>
                {move || draft.with(|d| d.product.contract.fields.clone()).into_iter().enumerate().map(|(i, f)| {
                    let path = f.path.clone();
                    let not_null = { let path = path.clone(); move || draft.with(|d| d.product.contract.quality.iter().any(|q| matches!(q, Expectation::NotNull { field } if *field == path))) };
                    let path2 = path.clone();
                    view! {
                        <tr data-field=f.path.clone()>
                            <td class="mono">{f.path.clone()}</td>
                            <td><input class="field-description" prop:value=f.description.clone() on:change=set_field(i, |x, v| x.description = v) /></td>
                            <td><input class="field-unit" prop:value=f.unit.clone().unwrap_or_default() on:change=set_field(i, |x, v| x.unit = Some(v).filter(|v| !v.is_empty())) /></td>
                            <td><input class="field-example" prop:value=f.example.clone().unwrap_or_default() on:change=set_field(i, |x, v| x.example = Some(v).filter(|v| !v.is_empty())) /></td>
                            <td><input type="checkbox" class="field-pii" prop:checked=f.pii on:change=move |ev| { let on = event_target_checked(&ev); draft.update(|d| if let Some(x) = d.product.contract.fields.get_mut(i) { x.pii = on }) } /></td>
                            <td><input type="checkbox" class="field-not-null" prop:checked=not_null on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let path = path2.clone();
                                draft.update(|d| {
                                    d.product.contract.quality.retain(|q| !matches!(q, Expectation::NotNull { field } if *field == path));
                                    if on { d.product.contract.quality.push(Expectation::NotNull { field: path }) }
                                })
                            } /></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <QualityRules draft />
        <div class="form-grid">
            <label>"Freshness SLA (minutes)"<input id="sla-freshness" type="number" min="1" prop:value=move || draft.with(|d| d.product.sla.freshness_ms.map(|m| (m / 60_000).to_string()).unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev).trim().parse::<i64>().ok(); draft.update(|d| { d.product.sla.freshness_ms = v.map(|m| m * 60_000); d.product.contract.quality.retain(|q| !matches!(q, Expectation::Freshness { .. })); if let Some(m) = v { d.product.contract.quality.push(Expectation::Freshness { max_age_ms: m * 60_000 }) } }) } /></label>
            <label>"Availability SLA (%)"<input id="sla-availability" prop:value=move || draft.with(|d| d.product.sla.availability_bp.map(|b| format!("{:.2}", b as f64 / 100.0)).unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev).trim().parse::<f64>().ok(); draft.update(|d| d.product.sla.availability_bp = v.map(|p| (p * 100.0).round() as u32)) } /></label>
            <label>"Retention SLA (days)"<input id="sla-retention" type="number" prop:value=move || draft.with(|d| d.product.sla.retention_ms.map(|m| (m / DAY_MS).to_string()).unwrap_or_default())
                on:change=move |ev| { let v = event_target_value(&ev).trim().parse::<i64>().ok(); draft.update(|d| d.product.sla.retention_ms = v.map(|m| m * DAY_MS)) } /></label>
        </div>
        <label class="wide">"Terms of use"<textarea id="terms-of-use" rows="2" prop:value=move || draft.with(|d| d.product.contract.terms_of_use.clone()) on:input=move |ev| draft.update(|d| d.product.contract.terms_of_use = event_target_value(&ev))></textarea></label>
        {move || findings_view(findings.get().into_iter().filter(|f| f.policy == "pii" || f.policy == "fields-documented").collect())}
    }
}

#[component]
fn PolicyStep(findings: Memo<Vec<Finding>>) -> impl IntoView {
    view! {
        <h2>"6. Policy check"</h2>
        <ul class="policies">
            {policy::BUILT_IN.iter().map(|(id, what)| {
                let id = *id;
                let state = move || {
                    let f = findings.get();
                    let mine: Vec<_> = f.iter().filter(|x| x.policy == id).collect();
                    if mine.iter().any(|x| x.severity == Severity::Error) { "error" } else if mine.is_empty() { "pass" } else { "warning" }
                };
                view! { <li class=move || format!("policy {}", state()) data-policy=id><strong>{id}</strong>" "<span class="policy-state">{state}</span><br/><span class="muted">{*what}</span></li> }
            }).collect_view()}
        </ul>
        {move || {
            let f = findings.get();
            let blocks = policy::blocks(&f);
            view! {
                <p id="policy-verdict" class=if blocks { "error" } else { "ok" }>
                    {if blocks { "Errors block publishing: fix them in the steps above." } else if f.is_empty() { "Every policy passes." } else { "No errors; warnings inform." }}
                </p>
                {findings_view(f)}
            }
        }}
    }
}

#[component]
fn ReviewStep(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let check = LocalResource::new(move || {
        let d = draft.get();
        async move { ipc::call::<CheckDraft>(&d).await }
    });
    view! {
        <h2>"7. Review"</h2>
        <p class="muted">"Nothing has been changed on the cluster yet. Publishing applies exactly this plan, step by step:"</p>
        <Transition fallback=|| view! { <p class="muted">"Checking…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let c = check.await?;
                    Ok::<_, IpcError>(view! {
                        <ol class="plan-steps mono" id="review-plan">{c.plan.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
                        <p id="review-verdict" class=if c.blocks { "error" } else { "ok" }>{if c.blocks { "The backend's policy check blocks publishing:" } else { "The backend's policy check passes." }}</p>
                        {findings_view(c.findings)}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn PublishStep(
    draft: RwSignal<WizardDraft>,
    status: RwSignal<DraftState>,
    findings: Memo<Vec<Finding>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // While publishing, the journal is re-read so each step shows as it finishes.
    let id = draft.with_untracked(|d| d.id.clone());
    let poll_id = id.clone();
    set_interval(
        move || {
            if busy.get_untracked() {
                let id = poll_id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(s) = ipc::call::<GetDraft>(&DraftRequest { id }).await
                        && busy.get_untracked()
                    {
                        status.set(s);
                    }
                });
            }
        },
        Duration::from_millis(300),
    );
    let publish = move |_| {
        let id = id.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match ipc::call::<PublishDraft>(&DraftRequest { id }).await {
                Ok(s) => status.set(s),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <h2>"8. Publish"</h2>
        {move || (policy::blocks(&findings.get()) && status.with(|s| s.status == "editing")).then(|| view! {
            <p class="error" id="publish-blocked">"The policy check has errors: fix them before publishing (step 6 lists them)."</p>
        })}
        <button id="publish" prop:disabled=move || busy.get() || status.with(|s| s.status == "published") || (policy::blocks(&findings.get()) && status.with(|s| s.status == "editing")) on:click=publish>
            {move || match status.with(|s| s.status.clone()).as_str() { "failed" => "Resume", "published" => "Published", _ => "Publish" }}
        </button>
        {move || busy.get().then(|| view! { <span class="muted">" applying…"</span> })}
        {move || error.get().map(|e| view! { <p class="error" role="alert" id="publish-error">{e}</p> })}
        <ol class="publish-steps" id="publish-steps">
            {move || status.with(|s| s.steps.clone()).into_iter().map(|s| {
                let (class, state, shown) = (format!("step {}", s.state), s.state.clone(), s.state);
                view! {
                    <li class=class data-state=state>
                        <span class="mono">{s.description}</span>" — "<strong>{shown}</strong>{s.result.map(|r| format!(": {r}"))}
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || status.with(|s| s.last_error.clone()).map(|e| view! { <p class="error" id="publish-failure">{e}" — fix the cause and press Resume: finished steps are not repeated."</p> })}
        {move || (status.with(|s| s.status == "published")).then(|| {
            let pid = draft.with(|d| d.product.id.to_string());
            view! { <p class="ok" id="publish-done">"Published. "<A href=format!("/products/{pid}")>"Open the product"</A>" — it appears in every desktop's catalog once the log is read."</p> }
        })}
    }
}

/// Quality expectations beyond "never null": numeric ranges, allowed values, a unique key.
#[component]
fn QualityRules(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let kind = RwSignal::new("range".to_owned());
    let field = RwSignal::new(String::new());
    let a = RwSignal::new(String::new());
    let b = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = move |_| {
        let f = field.get_untracked().trim().to_owned();
        let (x, y) = (a.get_untracked().trim().to_owned(), b.get_untracked().trim().to_owned());
        let known = draft.with_untracked(|d| fields_of(d).iter().any(|(p, _)| *p == f));
        let rule = match kind.get_untracked().as_str() {
            _ if !known && kind.get_untracked() != "unique" => Err(format!("`{f}` is not a field of the schema")),
            "range" => match (x.parse::<i64>().ok(), y.parse::<i64>().ok()) {
                (None, None) => Err("give a minimum, a maximum or both (whole numbers)".to_owned()),
                (min, max) => Ok(Expectation::Range { field: f, min, max }),
            },
            "allowed" => {
                let values: Vec<String> = x.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
                if values.is_empty() {
                    Err("list the allowed values, comma separated".to_owned())
                } else {
                    Ok(Expectation::AllowedValues { field: f, values })
                }
            }
            _ => {
                let fields: Vec<String> = f.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect();
                let all = draft.with_untracked(fields_of);
                match fields.iter().find(|k| !all.iter().any(|(p, _)| p == *k)) {
                    Some(k) => Err(format!("`{k}` is not a field of the schema")),
                    None if fields.is_empty() => Err("name the key's fields, comma separated".to_owned()),
                    None => Ok(Expectation::UniqueKey { fields }),
                }
            }
        };
        match rule {
            Ok(r) => {
                draft.update(|d| d.product.contract.quality.push(r));
                problem.set(None);
            }
            Err(e) => problem.set(Some(e)),
        }
    };
    view! {
        <h3>"Quality expectations"</h3>
        <ul id="quality-rules">
            {move || draft.with(|d| d.product.contract.quality.clone()).into_iter().enumerate().map(|(i, q)| view! {
                <li class="mono">{q.describe()}" "<button class="small" on:click=move |_| draft.update(|d| { if i < d.product.contract.quality.len() { d.product.contract.quality.remove(i); } })>"remove"</button></li>
            }).collect_view()}
        </ul>
        <div class="form-grid">
            <label>"Rule"
                <select id="quality-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="range">"range (min ≤ field ≤ max)"</option>
                    <option value="allowed">"allowed values"</option>
                    <option value="unique">"unique key"</option>
                </select>
            </label>
            <label>"Field (for a key: fields, comma separated)"<input id="quality-field" prop:value=move || field.get() on:input=move |ev| field.set(event_target_value(&ev)) /></label>
            <label>"Minimum / allowed values"<input id="quality-a" prop:value=move || a.get() on:input=move |ev| a.set(event_target_value(&ev)) /></label>
            <label>"Maximum"<input id="quality-b" prop:value=move || b.get() on:input=move |ev| b.set(event_target_value(&ev)) /></label>
            <button id="quality-add" on:click=add>"Add rule"</button>
        </div>
        {move || problem.get().map(|p| view! { <p class="error">{p}</p> })}
    }
}

/// For a subject the registry already has (editing a product): the new schema against its
/// registered versions at the chosen level, with the local engine, as the Schemas page does.
#[component]
fn Compatibility(subject: String, text: String, level: CompatibilityLevel) -> impl IntoView {
    use meshdesk_contract::{GetSubject, SubjectRequest};
    use meshdesk_domain::schema::{ParsedSchema, check_messages};
    let detail = LocalResource::new(move || {
        let subject = subject.clone();
        async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                let text = text.clone();
                Suspend::new(async move {
                    // A subject the registry does not know yet: nothing to be compatible with.
                    let Ok(d) = detail.await else { return ().into_any() };
                    if d.versions.is_empty() || text.is_empty() {
                        return ().into_any();
                    }
                    let Ok(new) = ParsedSchema::parse(SchemaFormat::Avro, &text) else { return ().into_any() };
                    let prev: Vec<(u32, ParsedSchema)> = d
                        .versions
                        .iter()
                        .filter_map(|v| ParsedSchema::parse(SchemaFormat::Avro, &v.schema).ok().map(|p| (v.version, p)))
                        .collect();
                    let refs: Vec<(u32, &ParsedSchema)> = prev.iter().map(|(v, p)| (*v, p)).collect();
                    let issues = check_messages(level, &refs, &new);
                    if issues.is_empty() {
                        view! { <p class="ok schema-compat">{format!("Compatible ({level}) with the {} registered version(s).", d.versions.len())}</p> }.into_any()
                    } else {
                        view! {
                            <div class="error schema-compat">
                                {format!("Not compatible ({level}) with the registered versions:")}
                                <ul>{issues.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                            </div>
                        }.into_any()
                    }
                })
            }}
        </Transition>
    }
}
