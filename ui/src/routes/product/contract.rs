//! The data contract: field meanings, PII, quality rules, SLAs and terms of use.

use super::*;

#[component]
pub(super) fn Contract(d: ProductDetail) -> impl IntoView {
    let c = d.product.contract.clone();
    let pii = d.pii_paths.clone();
    view! {
        {if c.fields.is_empty() {
            view! { <p class="muted">"The contract documents no fields yet; personal data is inferred from field names and docs: " {if pii.is_empty() { "none found".to_owned() } else { pii.join(", ") }}</p> }.into_any()
        } else {
            view! {
                <table class="contract" id="contract-fields">
                    <thead><tr><th>"Field"</th><th>"Meaning"</th><th>"Unit"</th><th>"Example"</th><th>"PII"</th></tr></thead>
                    <tbody>
                        {c.fields.into_iter().map(|f| view! {
                            <tr>
                                <td class="mono">{f.path}</td>
                                <td>{f.description}</td>
                                <td>{f.unit.unwrap_or_default()}</td>
                                <td class="mono">{f.example.unwrap_or_default()}</td>
                                <td>{if f.pii { "yes" } else { "" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h3>"Quality expectations"</h3>
        {if c.quality.is_empty() {
            view! { <p class="muted">"None stated."</p> }.into_any()
        } else {
            view! { <ul id="contract-quality">{c.quality.iter().map(|q| view! { <li class="mono">{q.describe()}</li> }).collect_view()}</ul> }.into_any()
        }}
        {(!c.terms_of_use.is_empty()).then(|| view! { <p><strong>"Terms of use: "</strong>{c.terms_of_use}</p> })}
    }
}
