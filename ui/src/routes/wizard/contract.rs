//! Step 5: the data contract: field meanings, PII, quality rules, SLAs and terms of use.

use super::*;

pub(super) fn fields_of(d: &WizardDraft) -> Vec<(String, Option<String>)> {
    d.product
        .output_ports
        .iter()
        .filter_map(|p| p.value_schema.as_ref())
        .filter_map(|s| AvroSchema::parse(&s.schema).ok())
        .flat_map(|a| a.field_paths())
        .collect()
}

#[component]
pub(super) fn ContractStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
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

/// Quality expectations beyond "never null": numeric ranges, allowed values, a unique key.
#[component]
pub(super) fn QualityRules(draft: RwSignal<WizardDraft>) -> impl IntoView {
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
