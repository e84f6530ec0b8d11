//! Current violations: the shared policies evaluated over every product of the catalog, in this
//! page's wasm, grouped by domain and product. Products published before a rule was tightened,
//! or adopted as they were, show here.

use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::{DataProduct, IpcError};
use meshdesk_domain::policy::{Finding, Policies, Rule, RuleSet, Severity, in_force};

use crate::components::errors::ErrorList;
use crate::components::findings::place;

/// One product's findings.
struct Breaking {
    domain: String,
    id: String,
    title: String,
    findings: Vec<Finding>,
}

fn violations(catalog: &[DataProduct], published: &[Rule]) -> Result<Vec<Breaking>, String> {
    let set = RuleSet::compile(in_force(&Policies::default(), published)).map_err(|e| e.to_string())?;
    let mut out: Vec<Breaking> = catalog
        .iter()
        .zip(set.check_catalog(catalog))
        .filter(|(_, f)| !f.is_empty())
        .map(|(p, findings)| Breaking {
            domain: p.domain.to_string(),
            id: p.id.to_string(),
            title: p.title.clone(),
            findings,
        })
        .collect();
    out.sort_by(|a, b| (&a.domain, &a.title).cmp(&(&b.domain, &b.title)));
    Ok(out)
}

/// "2 of 40 products break a policy (1 of them with errors …)", in good grammar for one.
fn summary(breaking: usize, with_errors: usize, all: usize) -> String {
    match (breaking, with_errors) {
        (1, 0) => format!("1 of {all} products breaks a policy (warnings only)."),
        (1, _) => format!("1 of {all} products breaks a policy, with errors that would block publishing it again."),
        (n, 0) => format!("{n} of {all} products break a policy (warnings only)."),
        (n, e) => format!(
            "{n} of {all} products break a policy ({e} of them with errors that would block publishing them again)."
        ),
    }
}

#[component]
pub(super) fn Violations(
    catalog: LocalResource<Result<Vec<DataProduct>, IpcError>>,
    /// The published rules in force, checked beside the built-in ones.
    in_force: Signal<Vec<Rule>>,
) -> impl IntoView {
    view! {
        <section class="violations" id="violations">
            <h2>"Current violations"</h2>
            <Transition fallback=|| view! { <p class="muted">"Checking the catalog…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || {
                        let published = in_force.get();
                        Suspend::new(async move {
                        let catalog = catalog.await?;
                        let found = violations(&catalog, &published);
                        Ok::<_, IpcError>(match found {
                            Err(why) => view! { <p class="error">{why}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! {
                                <p class="ok" id="violations-summary" data-count="0">
                                    {format!("All {} products of the catalog meet every policy.", catalog.len())}
                                </p>
                            }.into_any(),
                            Ok(list) => {
                                let errors = list.iter().filter(|b| b.findings.iter().any(|f| f.severity == Severity::Error)).count();
                                view! {
                                    <p id="violations-summary" data-count=list.len()>
                                        {summary(list.len(), errors, catalog.len())}
                                    </p>
                                    <table class="violations-table">
                                        <thead><tr><th>"Domain"</th><th>"Product"</th><th>"Policy"</th><th>"Where"</th><th>"What it says"</th></tr></thead>
                                        <tbody>
                                            {list.into_iter().flat_map(|b| {
                                                let Breaking { domain, id, title, findings } = b;
                                                findings.into_iter().map(move |f| {
                                                    let class = if f.severity == Severity::Error { "finding error-row" } else { "finding warning-row" };
                                                    let (title, href) = (title.clone(), format!("/products/{id}"));
                                                    view! {
                                                        <tr class=class data-product=id.clone() data-policy=f.policy.clone()>
                                                            <td>{domain.clone()}</td>
                                                            <td><A href=href>{title}</A></td>
                                                            <td class="mono">{f.policy.clone()}</td>
                                                            <td>{place(&f.at)}</td>
                                                            <td>{f.message.clone()}</td>
                                                        </tr>
                                                    }
                                                }).collect::<Vec<_>>()
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }
                        })
                        })
                    }}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
