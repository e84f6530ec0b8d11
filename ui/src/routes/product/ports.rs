//! The output ports: live configs, the schema as registered with its history, and decoded samples
//! (PII masked for non-owners).

use super::*;
use crate::components::code_editor::CodeEditor;

#[component]
pub(super) fn Port(port: OutputPort, live: Option<PortLive>) -> impl IntoView {
    let topic = port.topic.as_str().to_owned();
    let subject = port.value_schema.as_ref().map(|s| s.subject.clone());
    let level = port.value_schema.as_ref().map(|s| s.compatibility.to_string()).unwrap_or_default();
    view! {
        <div class="card port" data-topic=topic.clone()>
            <h3 class="mono">{topic.clone()}
                {port.deprecation.is_some().then(|| view! { " " <span class="badge status status-deprecated">"deprecated"</span> })}
            </h3>
            {port.deprecation.clone().map(|d| view! {
                <p class="deprecation">
                    {format!("Kept until {}", d.sunset)}
                    {d.successor.map(|s| format!("; readers move to {s}"))}
                    {(!d.reason.is_empty()).then(|| format!(" ({})", d.reason))}
                </p>
            })}
            <p>{port.description.clone()}</p>
            <dl class="facts">
                <dt>"Partitions"</dt>
                <dd>
                    {match live.as_ref().and_then(|l| l.partitions) {
                        Some(n) if n != port.partitions => format!("{n} on the cluster ({} declared)", port.partitions),
                        Some(n) => n.to_string(),
                        None => format!("{} declared", port.partitions),
                    }}
                </dd>
                <dt>"Replication"</dt>
                <dd>{port.replication_factor}</dd>
                <dt>"Retention"</dt>
                <dd>{human_ms(port.retention_ms)}</dd>
                <dt>"Cleanup"</dt>
                <dd>{port.cleanup_policy.to_string()}</dd>
                <dt>"Value subject"</dt>
                <dd class="mono">{subject.clone().map(|s| format!("{s} ({level})")).unwrap_or_else(|| "none".into())}</dd>
            </dl>
            {live.map(|l| match l.error {
                Some(e) => view! { <p class="muted">{format!("Live configuration unavailable: {e}")}</p> }.into_any(),
                None => {
                    let set: Vec<_> = l.configs.into_iter().filter(|c| c.set_on_topic).collect();
                    view! {
                        <details class="configs">
                            <summary>{format!("{} configs set on the topic", set.len())}</summary>
                            <table>{set.into_iter().map(|c| view! { <tr><td class="mono">{c.name}</td><td class="mono">{c.value.unwrap_or_default()}</td></tr> }).collect_view()}</table>
                        </details>
                    }.into_any()
                }
            })}
            {subject.map(|s| view! { <SubjectHistory subject=s /> })}
        </div>
    }
}

#[component]
pub(super) fn SubjectHistory(subject: String) -> impl IntoView {
    let detail = LocalResource::new(move || {
        let subject = subject.clone();
        async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading versions…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let d = detail.await?;
                    let latest = d.versions.last().cloned();
                    Ok::<_, IpcError>(view! {
                        {latest.map(|v| {
                            let format = v.schema_type.parse().unwrap_or(meshdesk_contract::SchemaFormat::Avro);
                            let text = RwSignal::new(crate::routes::schemas::pretty(&v.schema));
                            view! {
                                <div class="schema-view">
                                    <h4>{format!("Schema, version {} of {} (id {})", v.version, d.versions.len(), v.id)}</h4>
                                    <CodeEditor id=format!("schema-view-{}", d.subject) value=text format=Signal::stored(format) read_only=true />
                                </div>
                            }
                        })}
                        <History versions=d.versions />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
pub(super) fn Samples(product: String, topic: String, pii: Vec<String>) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let samples = LocalResource::new(move || {
        reload.track();
        let req = PortSampleRequest { product: product.clone(), topic: topic.clone(), count: 10 };
        async move { ipc::call::<SampleProductPort>(&req).await }
    });
    view! {
        <div class="samples">
            <h4>
                "Latest records "
                <button class="secondary small" title="Read the newest records again" on:click=move |_| reload.update(|n| *n += 1)>"Refresh"</button>
            </h4>
            <Transition fallback=|| view! { <p class="muted">"Reading the topic…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || {
                        let pii = pii.clone();
                        Suspend::new(async move {
                        let s = samples.await?;
                        Ok::<_, IpcError>(if s.records.is_empty() {
                            view! { <p class="empty samples-empty">"No records on this topic yet."</p> }.into_any()
                        } else {
                            view! {
                                {s.masked.then(|| view! { <p class="muted">{format!("Personal data masked ({} values): fields {}", s.masked_values, pii.join(", "))}</p> })}
                                <ul class="sample-records">
                                    {s.records.into_iter().map(|r| {
                                        let (body, note) = match r.value {
                                            SampleValue::Decoded { json, schema_id, .. } => (pretty_record(&json), format!("schema id {schema_id}")),
                                            SampleValue::Raw { text, note, .. } => (text.unwrap_or_else(|| "(binary)".into()), note),
                                            SampleValue::Null => ("null".into(), "a tombstone: the key was deleted".into()),
                                        };
                                        let key = r.key.map(|k| format!("key {k}")).unwrap_or_else(|| "no key".into());
                                        view! {
                                            <li class="sample" data-offset=r.offset.to_string()>
                                                <span class="muted">{format!("partition {} · offset {} · {key} · {note}", r.partition, r.offset)}</span>
                                                <pre class="mono">{body}</pre>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        })
                    })}}
                </ErrorBoundary>
            </Transition>
        </div>
    }
}

/// A decoded record, indented.
fn pretty_record(json: &serde_json::Value) -> String {
    serde_json::to_string_pretty(json).unwrap_or_else(|_| json.to_string())
}
