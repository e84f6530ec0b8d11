//! Step 6: the policy check over the whole draft.

use super::*;

/// The policies a draft is checked against: the built-in ones, then those only published rules
/// report under, each with what it checks.
fn policies(in_force: &[Rule]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        policy::BUILT_IN.iter().map(|(id, what)| ((*id).to_owned(), (*what).to_owned())).collect();
    for r in in_force {
        match out.iter_mut().find(|(id, _)| *id == r.policy) {
            Some((_, what)) if what.starts_with("Published: ") => what.push_str(&format!(", {}", r.id)),
            Some(_) => {}
            None => out.push((r.policy.clone(), format!("Published: {}", r.id))),
        }
    }
    out
}

#[component]
pub(super) fn PolicyStep(findings: Memo<Vec<Finding>>, in_force: Memo<Vec<Rule>>) -> impl IntoView {
    view! {
        <h2>"6. Policy check"</h2>
        <ul class="policies">
            {move || in_force.with(|rules| policies(rules)).into_iter().map(|(id, what)| {
                let key = id.clone();
                let state = Signal::derive(move || {
                    let f = findings.get();
                    let mine: Vec<_> = f.iter().filter(|x| x.policy == key).collect();
                    if mine.iter().any(|x| x.severity == Severity::Error) { "error" } else if mine.is_empty() { "pass" } else { "warning" }
                });
                view! { <li class=move || format!("policy {}", state.get()) data-policy=id.clone()><strong>{id.clone()}</strong>" "<span class="policy-state">{state}</span><br/><span class="muted">{what}</span></li> }
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
