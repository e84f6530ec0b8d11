//! Step 2's processors and connectors: the stream processors (Kafka Streams, ksqlDB, Flink) that
//! make the product from other products, and the connectors (Kafka Connect, NiFi) that bring it
//! from other systems.

use meshdesk_domain::{Source, SourceKind};

use super::*;

#[component]
pub(super) fn SourcesEditor(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let kind = RwSignal::new(SourceKind::KafkaStreams);
    let name = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |_| {
        let k = kind.get_untracked();
        let d = detail.get_untracked();
        let reads: Result<Vec<ProductId>, String> = if k.is_processor() {
            d.split(',')
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| ProductId::parse(x).map_err(|e| e.to_string()))
                .collect()
        } else {
            Ok(vec![])
        };
        let source = reads.map(|reads| Source {
            kind: k,
            name: name.get_untracked().trim().to_owned(),
            system: (!k.is_processor()).then(|| d.trim().to_owned()),
            reads,
            group: None,
        });
        match source.and_then(|s| s.validate().map(|()| s).map_err(String::from)) {
            Ok(s) => {
                draft.update(|dr| dr.product.sources.push(s));
                name.set(String::new());
                detail.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <fieldset class="sources" id="product-sources">
            <legend>"Processors and connectors (optional)"</legend>
            <ul>
                {move || draft.with(|d| d.product.sources.clone()).into_iter().enumerate().map(|(i, s)| {
                    let what = match (&s.system, s.reads.is_empty()) {
                        (Some(sys), _) => format!("from {sys}"),
                        _ => format!("reads {}", s.reads.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")),
                    };
                    view! {
                        <li class="source">{format!("{} {} · {what}", s.kind.label(), s.name)}
                            <button class="secondary" on:click=move |_| draft.update(|d| { d.product.sources.remove(i); })>"Remove"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="form-grid">
                <label>"Kind"
                    <select id="source-kind" on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse() { kind.set(k) } }>
                        {SourceKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>{move || if kind.get().is_processor() { "application.id, query or job name" } else { "Connector or flow name" }}
                    <input id="source-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>{move || if kind.get().is_processor() { "Reads (product ids, comma separated)" } else { "System it reads (e.g. postgres://crm/customers)" }}
                    <input id="source-detail" prop:value=move || detail.get() on:input=move |ev| detail.set(event_target_value(&ev)) />
                </label>
            </div>
            <button id="source-add" class="secondary" on:click=add>"Add"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </fieldset>
    }
}
