//! The Policies page: the shared policies with their rules, the products of the catalog that
//! break them now, and a rule tried against the catalog.

mod publish;
mod published;
mod try_rule;
mod violations;

use leptos::prelude::*;
use meshdesk_contract::{CatalogProducts, GetPolicies, NoArgs};
use meshdesk_domain::access::MAX_DAYS;
use meshdesk_domain::policy::{BUILT_IN, Policies, Rule, Severity, Target};

use crate::{Refresh, ipc};

/// The governance policies every domain shares: checked live in the wizard (in this page's
/// wasm) and again by the backend before anything is applied.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let p = Policies::default();
    let rules = p.rules();
    // Every product whole: the violations and the rule being tried are evaluated over it here.
    let refresh = expect_context::<Refresh>();
    let catalog = LocalResource::new(move || {
        refresh.catalog.track();
        async move { ipc::call::<CatalogProducts>(&NoArgs {}).await }
    });
    // The rules published in the log; read again after this page publishes or withdraws one.
    let reload = RwSignal::new(0u32);
    let policies = LocalResource::new(move || {
        refresh.catalog.track();
        reload.track();
        async move { ipc::call::<GetPolicies>(&NoArgs {}).await }
    });
    let overview = Signal::derive(move || policies.get().and_then(Result::ok));
    let in_force = Signal::derive(move || overview.with(|o| o.as_ref().map(|o| o.in_force()).unwrap_or_default()));
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Policies"</h1>
            </div>
            <p class="muted">"Rules every domain shares, and rules the platform team and each domain published. Errors block publishing; warnings inform. The wizard checks them as you type, and the backend again before it applies anything. Each policy is a set of rules written in CEL over the product, its ports, schemas and fields."</p>
            <h2>"Built-in policies"</h2>
            <ul class="cards" id="policy-list">
                {BUILT_IN.iter().map(|(id, what)| {
                    let mine: Vec<Rule> = rules.iter().filter(|r| r.policy == *id).cloned().collect();
                    view! {
                        <li class="card" data-policy=*id>
                            <h2 class="mono">{*id}</h2>
                            <p>{*what}</p>
                            <RuleList rules=mine />
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2>"Bounds per classification"</h2>
            <table id="policy-bounds">
                <thead><tr><th>"Classification"</th><th>"Partitions at most"</th><th>"Retention at most"</th></tr></thead>
                <tbody>
                    {p.bounds.iter().map(|b| view! {
                        <tr>
                            <td>{b.classification.as_str()}</td>
                            <td>{b.max_partitions}</td>
                            <td>{b.max_retention_ms.map(|ms| format!("{} days (compacted topics exempt)", ms / 86_400_000)).unwrap_or_else(|| "unlimited".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p class="muted">
                {format!(
                    "Descriptions have at least {} characters; compatibility is at least {}; access is granted for at most {MAX_DAYS} days; restricted products need two owners' approvals.",
                    p.min_description_len, p.min_compatibility
                )}
            </p>
            <published::PublishedRules policies reload />
            <violations::Violations catalog in_force />
            <try_rule::TryRule catalog overview reload />
        </section>
    }
}

/// A policy's rules as the engine evaluates them: each one's condition (CEL, true when the
/// target complies), what it is checked on, and what a finding says.
#[component]
fn RuleList(rules: Vec<Rule>) -> impl IntoView {
    let count = rules.len();
    view! {
        <details class="policy-rules">
            <summary>{if count == 1 { "1 rule".to_owned() } else { format!("{count} rules") }}</summary>
            <ul>
                {rules.into_iter().map(|r| view! {
                    <li class="policy-rule" data-rule=r.id.clone()>
                        <span class="muted">{target_words(r.target)}" · "{if r.severity == Severity::Error { "blocks publishing" } else { "informs" }}</span>
                        <code class="rule-condition">{r.condition}</code>
                        <span class="rule-message">"Otherwise: "{r.message}</span>
                    </li>
                }).collect_view()}
            </ul>
        </details>
    }
}

pub(super) fn target_words(t: Target) -> &'static str {
    match t {
        Target::Product => "Each product",
        Target::Port => "Each output port",
        Target::Schema => "Each schema",
        Target::Field => "Each schema field",
        Target::Request => "Each access request",
    }
}
