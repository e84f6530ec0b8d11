//! Step 6: the policy check over the whole draft.

use super::*;

#[component]
pub(super) fn PolicyStep(findings: Memo<Vec<Finding>>) -> impl IntoView {
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
