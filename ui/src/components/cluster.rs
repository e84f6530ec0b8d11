//! The cluster's health: a pill in the top bar while it is degraded, and a Settings section that
//! shows each broker and what is under-replicated.

use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::{ClusterHealth, GetEnvironmentStatus, IpcError, NoArgs};

use crate::components::errors::ErrorList;
use crate::ipc;

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "broker 2 is away, 14 partitions under-replicated": what is wrong, in a few words.
pub fn degraded_words(h: &ClusterHealth) -> String {
    let mut parts = Vec::new();
    match h.brokers_away.as_slice() {
        [] => {}
        [one] => parts.push(format!("broker {one} is away")),
        many => parts
            .push(format!("brokers {} are away", many.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))),
    }
    if h.under_replicated > 0 {
        parts.push(format!("{} under-replicated", plural(h.under_replicated, "partition", "partitions")));
    }
    if h.offline > 0 {
        parts.push(format!("{} offline", plural(h.offline, "partition", "partitions")));
    }
    parts.join(", ")
}

/// The top bar's pill, only while the cluster is degraded; it opens Settings' cluster section.
#[component]
pub fn ClusterPill(health: ClusterHealth) -> impl IntoView {
    health.degraded().then(|| {
        let words = degraded_words(&health);
        // Short, so the top bar stays one row: who is away, else how many partitions.
        let detail = match health.brokers_away.as_slice() {
            [] => format!(" ({} short of replicas)", plural(health.under_replicated + health.offline, "partition", "partitions")),
            [one] => format!(" (broker {one} away)"),
            many => format!(" ({} brokers away)", many.len()),
        };
        view! {
            <A href="/settings#cluster" attr:class="pending cluster-pill" attr:id="cluster-health" attr:title=words.clone()>
                "Cluster degraded"
                <span class="muted">{detail}</span>
            </A>
        }
    })
}

/// Settings' cluster section: each broker answering or away, the partitions short of replicas
/// and their topics, probed again every ten seconds and on demand.
#[component]
pub fn ClusterSection() -> impl IntoView {
    let status = LocalResource::new(|| async { ipc::call::<GetEnvironmentStatus>(&NoArgs {}).await });
    let handle = set_interval_with_handle(move || status.refetch(), std::time::Duration::from_secs(10)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    view! {
        <h2 id="cluster">"Cluster"</h2>
        <Transition fallback=|| view! { <p class="muted">"Asking the cluster…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let s = status.await?;
                    Ok::<_, IpcError>(match s.cluster {
                        None => view! {
                            <p class="muted" id="cluster-unknown">"The cluster did not answer, so its brokers cannot be shown. The broker's status in the top bar says why."</p>
                        }.into_any(),
                        Some(h) => view! { <ClusterView health=h /> }.into_any(),
                    })
                })}
            </ErrorBoundary>
        </Transition>
        <p><button class="secondary" id="cluster-refresh" on:click=move |_| status.refetch()>"Check the cluster again"</button></p>
    }
}

#[component]
fn ClusterView(health: ClusterHealth) -> impl IntoView {
    let mut brokers: Vec<(i32, bool)> = health.brokers_up.iter().map(|b| (*b, true)).collect();
    brokers.extend(health.brokers_away.iter().map(|b| (*b, false)));
    brokers.sort_unstable();
    let verdict = if health.degraded() {
        view! {
            <p class="notice-banner action" id="cluster-verdict" data-health="degraded">
                <strong>"Degraded: "</strong>{degraded_words(&health)}". "
                {if health.offline > 0 {
                    "Offline partitions can be neither read nor written until a broker holding them is back; ask the platform team to bring it back."
                } else {
                    "Reads and writes go on while enough replicas answer; ask the platform team to bring the broker back."
                }}
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="ok" id="cluster-verdict" data-health="healthy">
                {format!("Healthy: {} answering, every partition fully replicated.", plural(brokers.len() as u32, "broker", "brokers"))}
            </p>
        }
        .into_any()
    };
    view! {
        {verdict}
        <ul class="brokers" id="cluster-brokers" aria-label="Brokers">
            {brokers.into_iter().map(|(id, up)| view! {
                <li class=if up { "broker up" } else { "broker away" } data-broker=id>
                    <span class="broker-id">{format!("Broker {id}")}</span>
                    <span class="broker-state">{if up { "answering" } else { "away" }}</span>
                </li>
            }).collect_view()}
        </ul>
        {(!health.topics_affected.is_empty()).then(|| view! {
            <p id="cluster-topics">"Topics short of replicas: "
                {health.topics_affected.iter().map(|t| topic_chip(t)).collect_view()}
            </p>
        })}
    }
}

/// A topic for people: Kafka's and Meshdesk's own topics by what they hold.
fn topic_chip(topic: &str) -> impl IntoView + use<> {
    let (label, class) = match topic {
        "__consumer_offsets" => ("consumer offsets (Kafka's own)".to_owned(), "topic-chip"),
        "__transaction_state" => ("transactions (Kafka's own)".to_owned(), "topic-chip"),
        t if t == meshdesk_domain::GOVERNANCE_TOPIC => ("the governance log".to_owned(), "topic-chip"),
        t => (t.to_owned(), "mono topic-chip"),
    };
    view! { <span class=class title=topic.to_owned()>{label}</span> }
}
