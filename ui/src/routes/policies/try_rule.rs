//! Write a rule and try it against every product in the catalog, live, in this page's wasm: the
//! same engine the wizard and the backend use.

use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::{AccessOverview, DataProduct, IpcError, ListAccess, NoArgs, PolicyOverview, SchemaFormat};
use meshdesk_domain::access::AccessRequest;
use meshdesk_domain::policy::{FIELDS, FUNCTIONS, Rule, RuleSet, Scope, Severity, Target, evaluation_failed};

use super::publish::{Outcome, PublishRule, publisher};
use super::published::scope_words;
use crate::components::code_editor::CodeEditor;
use crate::components::errors::{ErrorList, sentence};
use crate::ipc;

/// The id of the rule being tried.
const DRAFT: &str = "draft";

/// How many failing products are listed by name.
const SHOWN: usize = 10;

fn target_of(value: &str) -> Target {
    match value {
        "port" => Target::Port,
        "schema" => Target::Schema,
        "field" => Target::Field,
        "request" => Target::Request,
        _ => Target::Product,
    }
}

/// What a rule on `t` can read, for the hint under the condition: its own variable's fields
/// first, then the variables around it.
fn fields_hint(t: Target) -> String {
    let vars = t.variables();
    let own = vars.last().copied().unwrap_or("product");
    let fields = FIELDS.iter().find(|(v, _)| *v == own).map(|(_, f)| f.join(", ")).unwrap_or_default();
    let others = &vars[..vars.len().saturating_sub(1)];
    if others.is_empty() { format!("{own}: {fields}") } else { format!("{own}: {fields}; and {}", others.join(", ")) }
}

/// What completion offers for a rule on `t` (JSON for the editor).
fn vocabulary(t: Target) -> String {
    let vars = t.variables();
    let fields: serde_json::Map<String, serde_json::Value> =
        FIELDS.iter().filter(|(v, _)| vars.contains(v)).map(|(v, f)| ((*v).to_owned(), serde_json::json!(f))).collect();
    serde_json::json!({ "variables": vars, "functions": FUNCTIONS, "fields": fields }).to_string()
}

/// Where a finding of the tried rule points: the first field of the target's own variable the
/// condition reads (`port.partitions` → the port's partitions), else the target itself.
fn location(t: Target, condition: &str) -> String {
    let own = t.variables().last().copied().unwrap_or("product");
    let fields = FIELDS.iter().find(|(v, _)| *v == own).map(|(_, f)| *f).unwrap_or(&[]);
    let prefix = format!("{own}.");
    let read = condition.match_indices(&prefix).find_map(|(i, _)| {
        // `port.` at a word's start, followed by one of its fields.
        let before = condition[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let rest = &condition[i + prefix.len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        fields.contains(&name.as_str()).then_some(name)
    });
    match (t, read) {
        (Target::Product, Some(f)) => format!("product.{f}"),
        (Target::Product, None) => "product".into(),
        (Target::Port, Some(f)) => f,
        (Target::Port, None) => "topic".into(),
        (Target::Schema, _) => "{schema.which}".into(),
        (Target::Field, _) => "fields.{field.path}".into(),
        (Target::Request, Some(f)) => f,
        (Target::Request, None) => "id".into(),
    }
}

/// What a finding says until the message is written: the failing item named.
fn default_message(t: Target) -> &'static str {
    match t {
        Target::Product => "{product.title} breaks the rule",
        Target::Port => "{port.topic} breaks the rule",
        Target::Schema => "{schema.subject} breaks the rule",
        Target::Field => "{field.path} in {port.topic} breaks the rule",
        Target::Request => "{request.consumer}'s request for {product.title} breaks the rule",
    }
}

/// One product the rule fails for: its id, title and what the first finding says.
#[derive(Clone, PartialEq)]
struct Failing {
    id: String,
    title: String,
    says: String,
}

/// The verdict of a rule over the catalog: refused with a reason, or the products it fails for.
fn try_rule(rule: Rule, catalog: &[DataProduct], requests: &[AccessRequest]) -> Result<Vec<Failing>, String> {
    let on_requests = rule.target == Target::Request;
    let set = RuleSet::compile(vec![rule]).map_err(|e| e.reason)?;
    let failing: Vec<Failing> = if on_requests {
        // Each request this desktop sees, with its product as the catalog has it.
        requests
            .iter()
            .filter_map(|r| {
                let p = catalog.iter().find(|p| p.id == r.product)?;
                let f = set.check_request(p, r);
                f.first().map(|first| Failing {
                    id: p.id.to_string(),
                    title: format!("{} for {}", r.consumer, p.title),
                    says: first.message.clone(),
                })
            })
            .collect()
    } else {
        catalog
            .iter()
            .filter_map(|p| {
                let f = set.check(p, &[]);
                f.first().map(|first| Failing {
                    id: p.id.to_string(),
                    title: p.title.clone(),
                    says: first.message.clone(),
                })
            })
            .collect()
    };
    let all = if on_requests { requests.len() } else { catalog.len() };
    // The same evaluation error for every item (a name half typed, `product.dom`): said once,
    // as a rule that cannot be used yet, not as a list.
    let broken = evaluation_failed(DRAFT);
    if let Some(first) = failing.first()
        && failing.len() == all
        && first.says.starts_with(&broken)
        && failing.iter().all(|f| f.says == first.says)
    {
        return Err(format!("it cannot be evaluated: {}", &first.says[broken.len()..]));
    }
    Ok(failing)
}

/// The access requests this desktop sees (to its domains' products, and its own), once each.
fn requests_of(o: AccessOverview) -> Vec<AccessRequest> {
    let mut out: Vec<AccessRequest> = Vec::new();
    for v in o.incoming.into_iter().chain(o.outgoing) {
        if !out.iter().any(|r| r.id == v.request.id) {
            out.push(v.request);
        }
    }
    out
}

/// The rule being written: each field of the form, as signals.
#[derive(Clone, Copy)]
struct Draft {
    target: RwSignal<String>,
    condition: RwSignal<String>,
    /// `None` until the message is written: it then follows the target.
    written: RwSignal<Option<String>>,
    severity: RwSignal<String>,
    id: RwSignal<String>,
    policy: RwSignal<String>,
    /// Every domain until chosen (a rule is tried on the whole catalog first); publishing offers
    /// what this principal may publish for.
    chosen: RwSignal<String>,
}

impl Draft {
    /// An empty rule on output ports that blocks publishing, for every domain.
    fn new() -> Self {
        Self {
            target: RwSignal::new("port".to_owned()),
            condition: RwSignal::new(String::new()),
            written: RwSignal::new(None::<String>),
            severity: RwSignal::new("error".to_owned()),
            id: RwSignal::new(String::new()),
            policy: RwSignal::new(String::new()),
            chosen: RwSignal::new(Scope::Global.key()),
        }
    }

    /// The message as written, else the default one for the target.
    fn message(self) -> String {
        self.written.get().unwrap_or_else(|| default_message(target_of(&self.target.get())).to_owned())
    }

    /// The scope chosen.
    fn scope(self) -> Scope {
        Scope::from_key(&self.chosen.get()).unwrap_or(Scope::Global)
    }

    /// The rule as written: tried under a fixed id (its findings name it), published under its own.
    fn rule(self, id: String) -> Rule {
        let t = target_of(&self.target.get());
        let id = id.trim().to_owned();
        let policy = self.policy.get().trim().to_owned();
        let condition = self.condition.get();
        Rule {
            policy: if policy.is_empty() { id.clone() } else { policy },
            id,
            target: t,
            at: location(t, &condition),
            condition,
            severity: if self.severity.get() == "warning" { Severity::Warning } else { Severity::Error },
            message: self.message(),
            owner: self.scope(),
        }
    }
}

/// Writing a rule: its form, and its verdict over the catalog as it is typed, with publishing.
#[component]
pub(super) fn TryRule(
    catalog: LocalResource<Result<Vec<DataProduct>, IpcError>>,
    overview: Signal<Option<PolicyOverview>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let draft = Draft::new();
    // The access requests this desktop sees, for rules on requests.
    let access = LocalResource::new(|| async { ipc::call::<ListAccess>(&NoArgs {}).await });
    let done: Outcome = RwSignal::new(None);
    let publish = publisher(done, reload);
    view! {
        <section class="try-rule" id="try-rule">
            <h2>"Write a rule"</h2>
            <p class="muted">"Write a condition in CEL that is true when a product complies. It is checked against every product in the catalog as you type; publish it when it says what you mean."</p>
            <div class="rule-form">
                <RuleChoices draft overview />
                <RuleText draft />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Reading the catalog…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let catalog = catalog.await?;
                        let requests = requests_of(access.await?);
                        Ok::<_, IpcError>(trial(catalog, requests, draft, overview, publish, done))
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The form's choices: what the rule is checked on, what a failure does and where it applies.
#[component]
fn RuleChoices(draft: Draft, overview: Signal<Option<PolicyOverview>>) -> impl IntoView {
    let Draft { target, severity, chosen, .. } = draft;
    let scopes = Signal::derive(move || {
        let mut all = overview.get().map(|o| o.scopes).unwrap_or_default();
        if !all.contains(&Scope::Global) {
            all.insert(0, Scope::Global);
        }
        all
    });
    view! {
        <label>
            "Checked on"
            <select id="rule-target" prop:value=move || target.get() on:change=move |ev| target.set(event_target_value(&ev))>
                <option value="product">"Each product"</option>
                <option value="port">"Each output port"</option>
                <option value="schema">"Each schema"</option>
                <option value="field">"Each schema field"</option>
                <option value="request">"Each access request"</option>
            </select>
        </label>
        <label>
            "When it fails"
            <select id="rule-severity" prop:value=move || severity.get() on:change=move |ev| severity.set(event_target_value(&ev))>
                <option value="error">"Block publishing"</option>
                <option value="warning">"Warn"</option>
            </select>
        </label>
        <label>
            "Applies to"
            <select id="rule-scope" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                {move || scopes.get().into_iter().map(|s| view! { <option value=s.key()>{scope_words(&s)}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The form's text: the condition with its hint, the message, the rule's id and its policy.
#[component]
fn RuleText(draft: Draft) -> impl IntoView {
    let Draft { target, condition, written, id, policy, .. } = draft;
    view! {
        <label class="wide">
            "Condition"
            <CodeEditor id="rule-condition" value=condition format=SchemaFormat::Json
                language="cel" label="Condition" vocabulary=Signal::derive(move || vocabulary(target_of(&target.get()))) />
            <span class="hint" id="rule-fields">{move || fields_hint(target_of(&target.get()))}</span>
        </label>
        <label class="wide">
            "Message"
            <input id="rule-message" type="text" prop:value=move || draft.message()
                on:input=move |ev| written.set(Some(event_target_value(&ev))) />
            <span class="hint">"Text with {expressions} in braces, e.g. {port.partitions}."</span>
        </label>
        <label>
            "Rule id"
            <input id="rule-id" type="text" placeholder="inventory.max-partitions" prop:value=move || id.get()
                on:input=move |ev| id.set(event_target_value(&ev)) />
        </label>
        <label>
            "Reported under"
            <input id="rule-policy" type="text" placeholder="the rule's id" prop:value=move || policy.get()
                on:input=move |ev| policy.set(event_target_value(&ev)) />
        </label>
    }
}

/// The rule tried on the catalog (or the requests) as it is typed: its verdict, then publishing.
fn trial(
    catalog: Vec<DataProduct>,
    requests: Vec<AccessRequest>,
    draft: Draft,
    overview: Signal<Option<PolicyOverview>>,
    publish: Action<Rule, ()>,
    done: Outcome,
) -> impl IntoView {
    let Draft { target, condition, id, .. } = draft;
    let on_requests = Memo::new(move |_| target.get() == "request");
    let (products, asked) = (catalog.len(), requests.len());
    let outcome = Memo::new(move |_| {
        let text = condition.get();
        (!text.trim().is_empty()).then(|| try_rule(draft.rule(DRAFT.into()), &catalog, &requests))
    });
    let verdict = move || verdict_of(outcome.get(), on_requests, products, asked);
    let failing = Signal::derive(move || outcome.with(|o| o.as_ref().and_then(|r| r.as_ref().ok()).map(Vec::len)));
    let to_publish = Signal::derive(move || draft.rule(id.get()));
    view! {
        <div class="rule-result">{verdict}</div>
        <PublishRule rule=to_publish failing overview publish done />
    }
}

/// What the rule does on what it is tried on (`products` products or `asked` requests): nothing
/// written yet, refused, nothing to try it on, passes, or the items it fails for.
fn verdict_of(
    outcome: Option<Result<Vec<Failing>, String>>,
    on_requests: Memo<bool>,
    products: usize,
    asked: usize,
) -> AnyView {
    // What the rule is tried on: the catalog's products, or the requests.
    let count = move || if on_requests.get() { (asked, "access requests") } else { (products, "products") };
    match outcome {
        None => {
            let (n, what) = count();
            view! { <p class="muted" id="rule-verdict">{format!("Write a condition to try it on the {n} {what} this desktop sees.")}</p> }.into_any()
        }
        Some(Err(reason)) => view! { <p class="error" id="rule-verdict" data-verdict="refused">{sentence(&reason)}</p> }.into_any(),
        Some(Ok(_)) if on_requests.get() && asked == 0 => view! {
            <p class="muted" id="rule-verdict" data-verdict="nothing">"This desktop sees no access request to try it on; it is checked on each request when it is sent."</p>
        }.into_any(),
        Some(Ok(failing)) if failing.is_empty() => view! {
            <p class="ok" id="rule-verdict" data-verdict="passes">{let (n, what) = count(); format!("Passes for all {n} {what}.")}</p>
        }.into_any(),
        Some(Ok(failing)) => {
            let (n, what) = count();
            view! { <RuleFails failing n what /> }.into_any()
        }
    }
}

/// The items the rule fails for, out of `n` `what`: the first few named with what they say.
#[component]
fn RuleFails(failing: Vec<Failing>, n: usize, what: &'static str) -> impl IntoView {
    let more = failing.len().saturating_sub(SHOWN);
    view! {
        <p class="rule-fails" id="rule-verdict" data-verdict="fails">{format!("Fails for {} of {n} {what}:", failing.len())}</p>
        <ul class="rule-failing">
            {failing.into_iter().take(SHOWN).map(|f| view! {
                <li data-product=f.id.clone()>
                    <A href=format!("/products/{}", f.id)>{f.title}</A>
                    <span class="muted">" — "{f.says}</span>
                </li>
            }).collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
    }
}
