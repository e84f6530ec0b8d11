use leptos::prelude::*;
use meshdesk_domain::access::MAX_DAYS;
use meshdesk_domain::policy::{BUILT_IN, Policies};

/// The governance policies every domain shares: checked live in the wizard (in this page's
/// wasm) and again by the backend before anything is applied.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    let p = Policies::default();
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Policies"</h1>
            </div>
            <p class="muted">"Rules every domain shares. Errors block publishing; warnings inform. The wizard checks them as you type, and the backend again before it applies anything."</p>
            <ul class="cards" id="policy-list">
                {BUILT_IN.iter().map(|(id, what)| view! {
                    <li class="card" data-policy=*id>
                        <h2 class="mono">{*id}</h2>
                        <p>{*what}</p>
                    </li>
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
        </section>
    }
}
