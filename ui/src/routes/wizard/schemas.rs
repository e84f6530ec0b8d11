//! Step 4: each port's value schema, generated from a field list or edited; for a subject the
//! registry has, the impact panel (`impact.rs`): the verdict against its registered versions and
//! who it reaches.

use super::*;
use crate::components::code_editor::{CodeEditor, Marker};

#[component]
pub(super) fn SchemasStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    // One card per port; editing a schema changes the draft but not the list of ports, so the
    // cards (and the editor being typed in) stay.
    let ports = Memo::new(move |_| {
        draft.with(|d| d.product.output_ports.iter().map(|p| p.topic.clone()).enumerate().collect::<Vec<_>>())
    });
    view! {
        <h2>"4. Schemas"</h2>
        <p class="muted">"The value schema of each port (subject <topic>-value): start from a list of fields, then edit the schema itself."</p>
        <For each=move || ports.get() key=|p| p.clone() let((i, topic))>
            <SchemaCard draft findings i topic />
        </For>
    }
}

fn set_schema(draft: RwSignal<WizardDraft>, i: usize, schema: String) {
    draft.update(|d| {
        if let Some(p) = d.product.output_ports.get_mut(i) {
            let subject = meshdesk_domain::subject_for(&p.topic, false);
            let level =
                p.value_schema.as_ref().map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive);
            p.value_schema = Some(SchemaRef {
                subject,
                format: SchemaFormat::Avro,
                schema,
                id: None,
                version: None,
                compatibility: level,
            });
        }
    });
}

#[component]
fn SchemaCard(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>, i: usize, topic: TopicName) -> impl IntoView {
    let port = move || draft.with(|d| d.product.output_ports.get(i).cloned());
    let fields = RwSignal::new(String::new());
    let text = RwSignal::new(port().and_then(|p| p.value_schema).map(|s| s.schema).unwrap_or_default());
    let parsed = Memo::new(move |_| text.with(|t| if t.trim().is_empty() { None } else { Some(AvroSchema::parse(t)) }));
    let generate = {
        let topic = topic.clone();
        move |_| {
            let event = topic.as_str().split_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
            let ns = format!("example.{}", topic.as_str().split('.').next().unwrap_or_default());
            let schema = schema_from_fields(&record_name(&event), &ns, &fields.get_untracked());
            text.set(schema.clone());
            set_schema(draft, i, schema);
        }
    };
    let level = move || {
        port().and_then(|p| p.value_schema).map(|s| s.compatibility).unwrap_or(CompatibilityLevel::BackwardTransitive)
    };
    let marker = Signal::derive(move || {
        parsed.with(|p| match p {
            Some(Err(e)) => Some(Marker::from(e)),
            _ => None,
        })
    });
    let at = format!("ports[{i}].");
    view! {
        <div class="card schema-edit" data-topic=topic.to_string()>
            <h3 class="mono">{format!("{topic}-value")}</h3>
            <div class="schema-start">
                <label class="wide">"Fields, one per line as name:type:description"
                    <textarea class="schema-fields mono" rows="4" spellcheck="false"
                        placeholder="reservationId:string:The reservation's id.\ncustomerEmail:string:Who reserved."
                        prop:value=move || fields.get() on:input=move |ev| fields.set(event_target_value(&ev))></textarea>
                </label>
                <p class="muted hint">"Types: string, int, long, double, boolean, timestamp. Generating replaces the schema below; the list stays."</p>
                <button class="secondary schema-generate" prop:disabled=move || fields.with(|f| f.trim().is_empty()) on:click=generate>"Generate the schema"</button>
            </div>
            <div class="field-label">"Avro schema"</div>
            <CodeEditor id=format!("schema-text-{i}") value=text format=Signal::stored(SchemaFormat::Avro) marker
                on_edit=Callback::new(move |t: String| set_schema(draft, i, t)) />
            <p class="schema-status" class:error-inline=move || matches!(parsed.get(), Some(Err(_)))>{move || match parsed.get() {
                None => "No schema yet: generate one from the fields, or write it.".to_owned(),
                Some(Ok(_)) => "Valid Avro.".to_owned(),
                Some(Err(e)) => e.to_string(),
            }}</p>
            <super::impact::Impact draft i subject=meshdesk_domain::subject_for(&topic, false) text level=Signal::derive(level) />
            <div class="form-row">
                <label>"Compatibility level "
                    <select class="schema-level" on:change=move |ev| {
                        if let Ok(l) = event_target_value(&ev).parse::<CompatibilityLevel>() {
                            draft.update(|d| if let Some(s) = d.product.output_ports.get_mut(i).and_then(|p| p.value_schema.as_mut()) { s.compatibility = l })
                        }
                    }>
                        {CompatibilityLevel::ALL.iter().map(|l| view! { <option value=l.as_str() selected=move || *l == level()>{l.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <label>
                    <input type="checkbox" class="schema-key" prop:checked=move || port().is_some_and(|p| p.key_schema.is_some()) on:change=move |ev| {
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
            </div>
            {move || findings_view(findings_at(&findings.get(), &at).into_iter().filter(|f| f.at.contains("schema") || f.policy == "compatibility").collect())}
        </div>
    }
}
