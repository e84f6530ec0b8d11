//! Publishing the rule being tried: its id, the policy it reports under and whose it is; what
//! would refuse it is said before the button is pressed (the same pure checks every desktop's
//! fold runs), and the confirmation says what it breaks today.

use leptos::prelude::*;
use meshdesk_contract::{IpcError, PolicyOverview, PublishPolicy};
use meshdesk_domain::policy::{Rule, Scope, admissible, published::conflict};

use super::published::scope_words;
use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorMessage, sentence};
use crate::ipc;

/// Why `rule` cannot be published as it stands, if so.
fn refusal(rule: &Rule, overview: &PolicyOverview) -> Option<String> {
    if !overview.scopes.contains(&rule.owner) {
        return Some(match &rule.owner {
            Scope::Global => {
                "Only a governance admin publishes rules for every domain: choose one of your domains under Applies to."
                    .into()
            }
            Scope::Domain(d) => format!("Only the owners of {d} publish its rules."),
        });
    }
    let held = overview.rules.iter().find(|r| r.rule.id == rule.id).map(|r| &r.rule.owner);
    admissible(rule).and_then(|()| conflict(held, rule)).err().map(|why| {
        let why = sentence(why.message());
        if why.ends_with('.') { why } else { format!("{why}.") }
    })
}

/// What the last publication said: kept by the page, above the catalog's re-renders (publishing
/// changes the catalog, which renders the rule's verdict again).
pub(super) type Outcome = RwSignal<Option<Result<String, IpcError>>>;

/// Publishes a rule and says how it went in `done`; owned by the page for the same reason.
pub(super) fn publisher(done: Outcome, reload: RwSignal<u32>) -> Action<Rule, ()> {
    Action::new_local(move |rule: &Rule| {
        let rule = rule.clone();
        async move {
            let r = ipc::call::<PublishPolicy>(&rule).await;
            done.set(Some(r.map(|o| {
                let v = o.rules.iter().find(|p| p.rule.id == rule.id).map_or(1, |p| p.version);
                format!("Published {} (version {v}). Every desktop checks it from now on.", rule.id)
            })));
            reload.update(|n| *n += 1);
        }
    })
}

#[component]
pub(super) fn PublishRule(
    /// The rule as it would be published.
    rule: Signal<Rule>,
    /// How many products of the catalog it fails for now (`None`: it cannot be evaluated).
    failing: Signal<Option<usize>>,
    overview: Signal<Option<PolicyOverview>>,
    publish: Action<Rule, ()>,
    done: Outcome,
) -> impl IntoView {
    // Why not yet (a hint), or why never as it stands (a refusal, said as one).
    let blocked = Signal::derive(move || {
        let Some(o) = overview.get() else { return Some((false, "Reading what you may publish…".to_owned())) };
        if o.scopes.is_empty() {
            return Some((false, "You may publish rules once you own a domain or are a governance admin.".into()));
        }
        if failing.get().is_none() {
            return Some((false, "A rule is published once it can be evaluated.".into()));
        }
        if rule.with(|r| r.id.trim().is_empty()) {
            return Some((false, "Give the rule an id to publish it, e.g. inventory.max-partitions.".into()));
        }
        rule.with(|r| refusal(r, &o)).map(|why| (true, why))
    });
    let question = Signal::derive(move || {
        let r = rule.get();
        let today = match failing.get() {
            Some(0) | None => "It passes for every product today.".to_owned(),
            Some(1) => "It fails for 1 product today, which cannot be published again until it complies.".into(),
            Some(n) => format!("It fails for {n} products today, which cannot be published again until they comply."),
        };
        format!("Publish {} for {}? {today}", r.id, scope_words(&r.owner).to_lowercase())
    });
    view! {
        <div class="publish-rule" id="publish-rule">
            {move || match blocked.get() {
                Some((true, why)) => view! { <p class="error" id="rule-publish-check" data-refused="true">{why}</p> }.into_any(),
                Some((false, hint)) => view! { <p class="hint" id="rule-publish-check">{hint}</p> }.into_any(),
                None => view! { <p class="ok" id="rule-publish-check">"Ready to publish."</p> }.into_any(),
            }}
            <ConfirmButton id="rule-publish" label="Publish" class="primary" question
                disabled=Signal::derive(move || blocked.get().is_some() || publish.pending().get())
                on_confirm=Callback::new(move |()| { publish.dispatch(rule.get_untracked()); }) />
            {move || done.get().map(|r| match r {
                Ok(said) => view! { <p class="ok" id="rule-published">{said}</p> }.into_any(),
                Err(error) => view! { <ErrorMessage error id="rule-publish-error" /> }.into_any(),
            })}
        </div>
    }
}
