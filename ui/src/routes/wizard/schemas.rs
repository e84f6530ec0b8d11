//! Step 4: each port's value schema, generated from a field list or edited, with the
//! compatibility check against the subject's registered versions.

use super::*;

#[component]
pub(super) fn SchemasStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    view! {
        <h2>"4. Schemas"</h2>
        <p class="muted">"The value schema of each port (subject <topic>-value). Start from a list of fields, one per line as name:type:description (types: string, int, long, double, boolean, timestamp)."</p>
        {move || draft.with(|d| d.product.output_ports.clone()).into_iter().enumerate().map(|(i, p)| {
            let fields = RwSignal::new(String::new());
            let topic = p.topic.clone();
            let generate = move |_| {
                let event = topic.as_str().split_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
                let ns = format!("example.{}", topic.as_str().split('.').next().unwrap_or_default());
                let schema = schema_from_fields(&record_name(&event), &ns, &fields.get_untracked());
                draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                    let subject = meshdesk_domain::subject_for(&p.topic, false);
                    let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
                    p.value_schema = Some(SchemaRef { subject, format: SchemaFormat::Avro, schema, id: None, version: None, compatibility: level });
                });
            };
            let text = p.value_schema.as_ref().map(|s| s.schema.clone()).unwrap_or_default();
            let error = match AvroSchema::parse(&text) { Ok(_) if !text.is_empty() => "Valid Avro.".to_owned(), Ok(_) => String::new(), Err(e) => e.to_string() };
            let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
            let at = format!("ports[{i}].");
            view! {
                <div class="card schema-edit" data-topic=p.topic.to_string()>
                    <h3 class="mono">{format!("{}-value", p.topic)}</h3>
                    <label class="wide">"Fields"<textarea class="schema-fields" rows="3" placeholder="reservationId:string:The reservation's id." prop:value=move || fields.get() on:input=move |ev| fields.set(event_target_value(&ev))></textarea></label>
                    <button class="schema-generate" on:click=generate>"Generate the schema"</button>
                    <label class="wide">"Avro schema"
                        <textarea class="schema-text mono" rows="10" prop:value=text on:change=move |ev| {
                            let v = event_target_value(&ev);
                            draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                                let subject = meshdesk_domain::subject_for(&p.topic, false);
                                let level = p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
                                p.value_schema = Some(SchemaRef { subject, format: SchemaFormat::Avro, schema: v, id: None, version: None, compatibility: level });
                            })
                        }></textarea>
                    </label>
                    <p class="schema-status">{error}</p>
                    <Compatibility subject=meshdesk_domain::subject_for(&p.topic, false) text=p.value_schema.as_ref().map(|s| s.schema.clone()).unwrap_or_default() level=level />
                    <label>"Compatibility level"
                        <select class="schema-level" on:change=move |ev| {
                            if let Ok(l) = event_target_value(&ev).parse::<CompatibilityLevel>() {
                                draft.update(|d| if let Some(s) = d.product.output_ports.get_mut(i).and_then(|p| p.value_schema.as_mut()) { s.compatibility = l })
                            }
                        }>
                            {CompatibilityLevel::ALL.iter().map(|l| view! { <option value=l.as_str() selected=*l == level>{l.as_str()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>
                        <input type="checkbox" class="schema-key" prop:checked=p.key_schema.is_some() on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) {
                                p.key_schema = on.then(|| SchemaRef {
                                    subject: meshdesk_domain::subject_for(&p.topic, true),
                                    format: SchemaFormat::Avro,
                                    schema: r#"{"type": "string"}"#.into(),
                                    id: None,
                                    version: None,
                                    compatibility: CompatibilityLevel::BackwardTransitive,
                                });
                            })
                        } />
                        " A key schema (subject <topic>-key, a string key)"
                    </label>
                    {findings_view(findings_at(&findings.get_untracked(), &at).into_iter().filter(|f| f.at.contains("schema") || f.policy == "compatibility").collect())}
                </div>
            }
        }).collect_view()}
    }
}

/// For a subject the registry already has (editing a product): the new schema against its
/// registered versions at the chosen level, with the local engine, as the Schemas page does.
#[component]
pub(super) fn Compatibility(subject: String, text: String, level: CompatibilityLevel) -> impl IntoView {
    use meshdesk_contract::{GetSubject, SubjectRequest};
    use meshdesk_domain::schema::{ParsedSchema, check_messages};
    let detail = LocalResource::new(move || {
        let subject = subject.clone();
        async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                let text = text.clone();
                Suspend::new(async move {
                    // A subject the registry does not know yet: nothing to be compatible with.
                    let Ok(d) = detail.await else { return ().into_any() };
                    if d.versions.is_empty() || text.is_empty() {
                        return ().into_any();
                    }
                    let Ok(new) = ParsedSchema::parse(SchemaFormat::Avro, &text) else { return ().into_any() };
                    let prev: Vec<(u32, ParsedSchema)> = d
                        .versions
                        .iter()
                        .filter_map(|v| ParsedSchema::parse(SchemaFormat::Avro, &v.schema).ok().map(|p| (v.version, p)))
                        .collect();
                    let refs: Vec<(u32, &ParsedSchema)> = prev.iter().map(|(v, p)| (*v, p)).collect();
                    let issues = check_messages(level, &refs, &new);
                    if issues.is_empty() {
                        view! { <p class="ok schema-compat">{format!("Compatible ({level}) with the {} registered version(s).", d.versions.len())}</p> }.into_any()
                    } else {
                        view! {
                            <div class="error schema-compat">
                                {format!("Not compatible ({level}) with the registered versions:")}
                                <ul>{issues.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                            </div>
                        }.into_any()
                    }
                })
            }}
        </Transition>
    }
}
