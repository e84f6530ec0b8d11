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
        <InRegistry registry=d.registry.clone() drops=d.registry_drops_contract.clone()/>
    }
}

/// The contract as the Schema Registry holds it with each subject's latest version: what
/// catalogs read and what Confluent's serializers enforce when records are written.
#[component]
fn InRegistry(registry: Vec<RegistryContractView>, drops: Option<String>) -> impl IntoView {
    view! {
        <h3>"In the schema registry"</h3>
        {if let Some(kind) = drops {
            view! {
                <div class="notice" id="contract-not-kept">
                    <p><strong>{format!("{kind} does not keep the contract.")}</strong></p>
                    <p>"It stores the schemas, but not the owners, tags and rules above, so serializers check no rule when records are written. Meshdesk keeps the contract in the catalog, and its quality checks still run here."</p>
                </div>
            }.into_any()
        } else if registry.is_empty() {
            view! { <p class="muted">"The registry's copy is not in the cache yet; it appears once the registry has answered."</p> }.into_any()
        } else {
            view! {
                <div id="contract-registry">
                    {registry.into_iter().map(|r| {
                        // Owners first, then contact, product, domain, classification, then the rest;
                        // `owner` (the first owner, for tools that read one) only if `owners` is missing.
                        let has_owners = r.properties.iter().any(|(k, _)| k == "owners");
                        let mut props: Vec<(String, String)> =
                            r.properties.iter().filter(|(k, _)| !(has_owners && k == "owner")).cloned().collect();
                        props.sort_by_key(|(k, _)| (property_rank(k), k.clone()));
                        let none_said = r.properties.is_empty() && r.pii.is_empty() && r.rules.is_empty();
                        view! {
                            <section class="registry-contract">
                                <p><span class="mono">{r.subject.clone()}</span>" · version "{r.version}</p>
                                {none_said.then(|| view! { <p class="muted">"This version carries no contract: no owners, tags or rules."</p> })}
                                {(!props.is_empty()).then(|| view! {
                                    <dl class="facts">
                                        {props.into_iter().map(|(k, v)| view! { <dt>{property_label(&k)}</dt><dd class="mono">{v}</dd> }).collect_view()}
                                    </dl>
                                })}
                                {(!r.pii.is_empty()).then(|| view! {
                                    <p>"Tagged as personal data: " <span class="mono">{r.pii.join(", ")}</span></p>
                                })}
                                {if r.rules.is_empty() {
                                    view! { <p class="muted">"No rules: serializers write any record that fits the schema."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="contract registry-rules">
                                            <thead><tr><th>"Rule"</th><th>"Condition"</th><th>"Checked"</th></tr></thead>
                                            <tbody>
                                                {r.rules.into_iter().map(|rule| view! {
                                                    <tr>
                                                        <td>{if rule.doc.is_empty() { rule.name.clone() } else { rule.doc.clone() }}</td>
                                                        <td class="mono">{rule.expr}</td>
                                                        <td>{checked_when(&rule.mode, &rule.on_failure)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

fn property_rank(key: &str) -> usize {
    ["owners", "owner", "contact", "meshdesk.product", "meshdesk.domain", "meshdesk.classification"]
        .iter()
        .position(|k| *k == key)
        .unwrap_or(usize::MAX)
}

fn property_label(key: &str) -> String {
    match key {
        "owner" => "Owner".into(),
        "owners" => "Owners".into(),
        "contact" => "Contact".into(),
        "meshdesk.product" => "Product".into(),
        "meshdesk.domain" => "Domain".into(),
        "meshdesk.classification" => "Classification".into(),
        other => other.to_owned(),
    }
}

fn checked_when(mode: &str, on_failure: &str) -> String {
    let when = match mode {
        "WRITE" => "when a record is written",
        "READ" => "when a record is read",
        "WRITEREAD" => "when written and read",
        "UPGRADE" | "DOWNGRADE" | "UPDOWN" => "when migrating between versions",
        _ => "by the serializer",
    };
    match on_failure {
        "" | "ERROR" => format!("{when}; a record that fails is refused"),
        "NONE" => format!("{when}; failures are ignored"),
        "DLQ" => format!("{when}; failures go to a dead-letter topic"),
        _ => when.to_owned(),
    }
}
