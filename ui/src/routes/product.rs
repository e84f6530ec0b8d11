use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use meshdesk_contract::{
    GetProduct, GetProductHealth, GetSubject, HealthLevel, IpcError, LineageNode, PortHealth, PortLive,
    PortSampleRequest, ProductDetail, ProductRequest, RatePoint, SampleProductPort, SampleValue, SubjectRequest,
};
use meshdesk_domain::OutputPort;

use crate::components::errors::ErrorList;
use crate::ipc;
use crate::routes::schemas::History;

/// How often live quality is refreshed while the page is open.
const HEALTH_EVERY: Duration = Duration::from_secs(5);

/// A product's page: overview, ports with live configs and schema history, contract, live
/// quality with its health badge, decoded samples and lineage.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    let detail = LocalResource::new(move || {
        let id = id();
        async move { ipc::call::<GetProduct>(&ProductRequest { id }).await }
    });
    view! {
        <section class="page product-page">
            <Transition fallback=|| view! { <p class="muted">"Loading the product…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let d = detail.await?;
                        Ok::<_, IpcError>(view! { <Product d /> })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn human_ms(ms: i64) -> String {
    match ms {
        ms if ms < 0 => "forever".into(),
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 120_000 => format!("{} s", ms / 1000),
        ms if ms < 7_200_000 => format!("{} min", ms / 60_000),
        ms if ms < 172_800_000 => format!("{} h", ms / 3_600_000),
        ms => format!("{} days", ms / 86_400_000),
    }
}

#[component]
fn Product(d: ProductDetail) -> impl IntoView {
    let p = d.product.clone();
    let sla = p.sla.clone();
    let class = format!("badge class-{}", p.classification);
    let id = p.id.as_str().to_owned();
    let health = live_health(id.clone());
    let has_pii = !d.pii_paths.is_empty();
    view! {
        <div class="page-head">
            <h1 id="product-title">{p.title.clone()}</h1>
            <span class=class>{p.classification.to_string()}</span>
            <span class="badge status">{p.status.to_string()}</span>
            <HealthBadge health />
        </div>
        <div class="product-id mono">{id.clone()} " · v" {p.version.clone()}</div>
        <ProductActions id=id.clone() owner=d.viewer_is_owner deprecated=p.sunset.clone() />
        <p>{p.description.clone()}</p>
        <dl class="facts">
            <dt>"Domain"</dt>
            <dd>{p.domain.to_string()}</dd>
            <dt>"Owners"</dt>
            <dd>{p.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Tags"</dt>
            <dd>{p.tags.join(", ")}</dd>
            <dt>"Freshness SLA"</dt>
            <dd>{sla.freshness_ms.map(human_ms).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Availability SLA"</dt>
            <dd>{sla.availability_bp.map(|b| format!("{:.2}%", b as f64 / 100.0)).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Retention SLA"</dt>
            <dd>{sla.retention_ms.map(human_ms).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Published"</dt>
            <dd>{format!("by {}", d.published_by)}</dd>
            <dt>"You"</dt>
            <dd>
                {match (&d.viewer, d.viewer_is_owner) {
                    (Some(v), true) => format!("{v} (owner)"),
                    (Some(v), false) if has_pii => format!("{v} (not an owner: personal data is masked)"),
                    (Some(v), false) => format!("{v} (not an owner)"),
                    (None, _) => "not connected yet".into(),
                }}
            </dd>
        </dl>
        <h2>"Live quality"</h2>
        <LiveQuality health />
        <h2>"Lineage"</h2>
        <Lineage id=id.clone() title=p.title.clone() upstream=d.upstream.clone() downstream=d.downstream.clone() consumers=d.consumers.iter().map(|c| c.principal.clone()).collect() />
        <h2>"Access"</h2>
        <Access d=d.clone() />
        <h2>"Consumers"</h2>
        {if d.consumers.is_empty() {
            view! { <p class="muted" id="consumers-empty">"No one has been granted access to this product."</p> }.into_any()
        } else {
            view! {
                <table class="consumers">
                    <thead><tr><th>"Principal"</th><th>"Domain"</th><th>"Since"</th><th>"Until"</th></tr></thead>
                    <tbody>
                        {d.consumers.iter().map(|c| view! {
                            <tr><td class="mono">{c.principal.clone()}</td><td>{c.domain.clone()}</td><td>{c.since_ms}</td><td>{c.until_ms.map(|u| u.to_string()).unwrap_or_else(|| "no end".into())}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>"Output ports"</h2>
        {p.output_ports
            .iter()
            .map(|port| {
                let live = d.ports.iter().find(|l| l.topic == port.topic.as_str()).cloned();
                view! { <Port product=id.clone() port=port.clone() live pii=d.pii_paths.clone() /> }
            })
            .collect_view()}
        <h2>"Contract"</h2>
        <Contract d=d.clone() />
    }
}

/// The product's live health, refreshed every few seconds while the page is open.
fn live_health(id: String) -> LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>> {
    let tick = RwSignal::new(0u32);
    set_interval(move || tick.update(|t| *t += 1), HEALTH_EVERY);
    LocalResource::new(move || {
        tick.track();
        let id = id.clone();
        async move { ipc::call::<GetProductHealth>(&ProductRequest { id }).await }
    })
}

/// The health badge (healthy / at risk / breaching) with its reasons as a tooltip.
#[component]
fn HealthBadge(health: LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <span class="badge health">"health…"</span> }>
            {move || Suspend::new(async move {
                match health.await {
                    Ok(h) => {
                        let (class, label) = level(h.level);
                        let why = h.ports.iter().flat_map(|p| p.health.reasons.clone()).collect::<Vec<_>>().join("; ");
                        view! { <span class=class id="health-badge" data-level=label title=why>{label}</span> }.into_any()
                    }
                    Err(e) => view! { <span class="badge health unknown" title=e.message.clone()>"health unknown"</span> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Each port's rate chart, newest record's age, consumer lag and the reasons for the badge.
#[component]
fn LiveQuality(health: LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Measuring…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let h = health.await?;
                    Ok::<_, IpcError>(view! {
                        <div class="quality" id="live-quality">{h.ports.into_iter().map(port_quality).collect_view()}</div>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

fn level(l: HealthLevel) -> (&'static str, &'static str) {
    match l {
        HealthLevel::Healthy => ("badge health healthy", "healthy"),
        HealthLevel::AtRisk => ("badge health at-risk", "at risk"),
        HealthLevel::Breaching => ("badge health breaching", "breaching"),
    }
}

fn port_quality(p: PortHealth) -> impl IntoView {
    let m = p.metrics.clone();
    view! {
        <div class="port-quality" data-topic=p.topic.clone()>
            <div class="mono">{p.topic.clone()}</div>
            {match m {
                None => view! { <p class="error">{p.error.unwrap_or_default()}</p> }.into_any(),
                Some(m) => view! {
                    <Sparkline points=m.series.clone() />
                    <span>{m.records_per_sec.map(|r| format!("{r:.1} records/s over {} min", m.window_secs / 60)).unwrap_or_else(|| "rate: measuring…".into())}</span>
                    " · "
                    <span>{m.newest_record_age_ms.map(|a| format!("newest record {} old", human_ms(a))).unwrap_or_else(|| "no records yet".into())}</span>
                    {(!m.consumer_lag.is_empty()).then(|| view! {
                        <ul class="lag">{m.consumer_lag.iter().map(|g| view! { <li class="mono">{format!("{}: lag {}", g.group, g.lag)}</li> }).collect_view()}</ul>
                    })}
                }.into_any(),
            }}
            <ul class="reasons">{p.health.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
        </div>
    }
}

/// Records per second over the last minutes as a small line chart.
#[component]
fn Sparkline(points: Vec<RatePoint>) -> impl IntoView {
    const W: f64 = 240.0;
    const H: f64 = 40.0;
    if points.len() < 2 {
        return view! { <span class="muted">"(chart after two samples)"</span> }.into_any();
    }
    let t0 = points[0].at_ms as f64;
    let span = (points[points.len() - 1].at_ms as f64 - t0).max(1.0);
    let max = points.iter().map(|p| p.per_sec).fold(0.0, f64::max).max(1.0);
    let line = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", (p.at_ms as f64 - t0) / span * W, H - p.per_sec / max * (H - 2.0) - 1.0))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="sparkline" width=W height=H viewBox=format!("0 0 {W} {H}") role="img">
            <title>{format!("records per second, peak {max:.1}")}</title>
            <polyline points=line fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
    .into_any()
}

#[component]
fn Port(product: String, port: OutputPort, live: Option<PortLive>, pii: Vec<String>) -> impl IntoView {
    let topic = port.topic.as_str().to_owned();
    let subject = port.value_schema.as_ref().map(|s| s.subject.clone());
    let level = port.value_schema.as_ref().map(|s| s.compatibility.to_string()).unwrap_or_default();
    view! {
        <div class="card port" data-topic=topic.clone()>
            <h3 class="mono">{topic.clone()}</h3>
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
            <Samples product topic=topic.clone() pii />
        </div>
    }
}

#[component]
fn SubjectHistory(subject: String) -> impl IntoView {
    let detail = LocalResource::new(move || {
        let subject = subject.clone();
        async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading versions…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let d = detail.await?;
                    Ok::<_, IpcError>(view! {
                        <p class="muted">{format!("{} version{} in the registry", d.versions.len(), if d.versions.len() == 1 { "" } else { "s" })}</p>
                        <History versions=d.versions />
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Samples(product: String, topic: String, pii: Vec<String>) -> impl IntoView {
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
                <button class="small" on:click=move |_| reload.update(|n| *n += 1)>"Refresh"</button>
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
                                        let body = match r.value {
                                            SampleValue::Decoded { json, schema_id, .. } => format!("{}  (schema {schema_id})", json),
                                            SampleValue::Raw { text, note, .. } => format!("{}  ({note})", text.unwrap_or_else(|| "binary".into())),
                                            SampleValue::Null => "null (tombstone)".into(),
                                        };
                                        view! { <li class="sample mono" data-offset=r.offset.to_string()>{format!("p{} @{} key={} ", r.partition, r.offset, r.key.unwrap_or_else(|| "∅".into()))}{body}</li> }
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

/// Upstream products (input ports) → this product → downstream products and consumers, as an
/// SVG picture; products are links.
#[component]
fn Lineage(
    id: String,
    title: String,
    upstream: Vec<LineageNode>,
    downstream: Vec<LineageNode>,
    consumers: Vec<String>,
) -> impl IntoView {
    const BOX_W: f64 = 200.0;
    const BOX_H: f64 = 44.0;
    const GAP: f64 = 16.0;
    const COL: [f64; 3] = [10.0, 290.0, 570.0];
    let right: Vec<(String, String, Option<String>)> = downstream
        .iter()
        .map(|n| (n.title.clone(), n.id.clone(), Some(format!("/products/{}", n.id))))
        .chain(consumers.iter().map(|c| (c.clone(), "consumer".to_owned(), None)))
        .collect();
    let left: Vec<(String, String, Option<String>)> = upstream
        .iter()
        .map(|n| (n.title.clone(), n.id.clone(), n.known.then(|| format!("/products/{}", n.id))))
        .collect();
    let rows = left.len().max(right.len()).max(1) as f64;
    let height = rows * (BOX_H + GAP) + GAP;
    let y = |i: usize, n: usize| {
        let total = n as f64 * (BOX_H + GAP) - GAP;
        (height - total) / 2.0 + i as f64 * (BOX_H + GAP)
    };
    let mid_y = (height - BOX_H) / 2.0;
    let navigate = use_navigate();
    let node = move |x: f64, y: f64, label: String, sub: String, href: Option<String>, class: &'static str| {
        let inner = view! {
            <rect x=x y=y width=BOX_W height=BOX_H rx="6" class=class />
            <text x=x + 10.0 y=y + 18.0 class="lineage-title">{label}</text>
            <text x=x + 10.0 y=y + 34.0 class="lineage-sub">{sub}</text>
        };
        match href {
            // Products are links: the router navigates in the app.
            Some(h) => {
                let navigate = navigate.clone();
                view! {
                    <g class="lineage-link" role="link" data-href=h.clone() on:click=move |_| navigate(&h, Default::default())>
                        {inner}
                    </g>
                }
                .into_any()
            }
            None => view! { <g>{inner}</g> }.into_any(),
        }
    };
    let nl = left.len();
    let nr = right.len();
    let edges_left: Vec<_> = (0..nl)
        .map(|i| {
            let (x1, y1, x2, y2) = (COL[0] + BOX_W, y(i, nl) + BOX_H / 2.0, COL[1], mid_y + BOX_H / 2.0);
            view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="lineage-edge" marker-end="url(#arrow)" /> }
        })
        .collect();
    let edges_right: Vec<_> = (0..nr)
        .map(|i| {
            let (x1, y1, x2, y2) = (COL[1] + BOX_W, mid_y + BOX_H / 2.0, COL[2], y(i, nr) + BOX_H / 2.0);
            view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="lineage-edge" marker-end="url(#arrow)" /> }
        })
        .collect();
    let lefts: Vec<_> = left
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h))| node(COL[0], y(i, nl), t, s, h, "lineage-node upstream"))
        .collect();
    let rights: Vec<_> = right
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h))| node(COL[2], y(i, nr), t, s, h, "lineage-node downstream"))
        .collect();
    let me = node(COL[1], mid_y, title, id, None, "lineage-node self");
    view! {
        <svg class="lineage" id="lineage" width="780" height=height viewBox=format!("0 0 780 {height}") role="img">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" />
                </marker>
            </defs>
            {edges_left}
            {edges_right}
            {lefts}
            {me}
            {rights}
        </svg>
        {(nl == 0 && nr == 0).then(|| view! { <p class="muted">"No upstream products, derived products or consumers yet."</p> })}
    }
}

#[component]
fn Contract(d: ProductDetail) -> impl IntoView {
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

/// Request access to this product (for someone who does not own it): ports, consumer, group
/// prefix, purpose and duration, with the exact ACL bindings an approval would create shown
/// before sending; and the product's access history.
#[component]
fn Access(d: ProductDetail) -> impl IntoView {
    use meshdesk_contract::{AccessRequestForm, ListAccess, NoArgs, ProductAccess, RequestAccess};
    use meshdesk_domain::access::{AccessRequest, DEFAULT_DAYS, MAX_DAYS, grant_plan, kafka_acls_commands};
    use meshdesk_domain::{DomainId, Principal, TopicName};

    let product = d.product.clone();
    let pid = product.id.as_str().to_owned();
    let reload = RwSignal::new(0u32);
    let overview = LocalResource::new(|| async { ipc::call::<ListAccess>(&NoArgs {}).await });
    let history = {
        let pid = pid.clone();
        LocalResource::new(move || {
            reload.track();
            let id = pid.clone();
            async move { ipc::call::<ProductAccess>(&ProductRequest { id }).await }
        })
    };
    let all_ports: Vec<String> = product.output_ports.iter().map(|p| p.topic.as_str().to_owned()).collect();
    let ports = RwSignal::new(all_ports.clone());
    let consumer = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let prefix = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let sent = RwSignal::new(None::<Result<String, String>>);
    // A new consumer login (sandbox only): shown once, here.
    let login = RwSignal::new(None::<meshdesk_contract::ConsumerLogin>);
    let topics: Vec<TopicName> = product.output_ports.iter().map(|p| p.topic.clone()).collect();
    // The request as typed so far, checked by the same rules the backend and every desktop
    // apply: the plan, or what is wrong.
    let draft = {
        let product_id = product.id.clone();
        move || -> Result<AccessRequest, String> {
            let dom =
                DomainId::parse(domain.get().trim()).map_err(|_| "choose the domain you request for".to_owned())?;
            let req = AccessRequest {
                id: String::new(),
                product: product_id.clone(),
                ports: ports.get().iter().filter_map(|p| TopicName::parse(p).ok()).collect(),
                consumer: Principal::parse(consumer.get().trim())?,
                group_prefix: Some(prefix.get().trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| AccessRequest::default_group_prefix(&dom)),
                requester_domain: dom,
                purpose: purpose.get().trim().to_owned(),
                days: days.get().trim().parse().map_err(|_| "the duration is a number of days".to_owned())?,
            };
            req.validate(&topics, MAX_DAYS)?;
            Ok(req)
        }
    };
    let draft_for_send = draft.clone();
    let draft_for_button = draft.clone();
    let send = move |_| {
        let Ok(req) = draft_for_send() else { return };
        let form = AccessRequestForm {
            product: req.product.as_str().to_owned(),
            ports: req.ports.iter().map(|p| p.as_str().to_owned()).collect(),
            consumer: req.consumer.as_str().to_owned(),
            requester_domain: req.requester_domain.as_str().to_owned(),
            group_prefix: Some(req.group_prefix.clone()),
            purpose: req.purpose.clone(),
            days: Some(req.days),
        };
        leptos::task::spawn_local(async move {
            let r = ipc::call::<RequestAccess>(&form).await;
            if let Ok(s) = &r {
                login.set(s.consumer_login.clone());
            }
            sent.set(Some(
                r.map(|s| format!("Request sent ({}). The owners see it once the log is read.", s.request_id))
                    .map_err(|e| e.message),
            ));
            reload.update(|n| *n += 1);
        });
    };
    view! {
        {(!d.viewer_is_owner).then(|| view! {
            <details class="card request-access" id="request-access">
                <summary>"Request access"</summary>
                <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                    {move || Suspend::new(async move {
                        let mine = overview.await.map(|o| o.my_domains).unwrap_or_default();
                        if domain.get_untracked().is_empty() && let Some(first) = mine.first() {
                            domain.set(first.clone());
                        }
                        view! {
                            <div class="form-grid">
                                <label>"For my domain"
                                    <select id="request-domain" on:change=move |ev| domain.set(event_target_value(&ev))>
                                        {mine.iter().map(|m| view! { <option value=m.clone() selected=domain.get_untracked() == *m>{m.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <label>"Consumer principal" <input id="request-consumer" placeholder="User:sales-app" prop:value=move || consumer.get() on:input=move |ev| consumer.set(event_target_value(&ev)) /></label>
                                <label>"Consumer-group prefix" <input id="request-prefix" placeholder=move || format!("{}.", domain.get()) prop:value=move || prefix.get() on:input=move |ev| prefix.set(event_target_value(&ev)) /></label>
                                <label>"Days" <input id="request-days" type="number" min="1" max=MAX_DAYS.to_string() prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) /></label>
                            </div>
                            {mine.is_empty().then(|| view! { <p class="error">"You own no domain: requests are made on behalf of a domain you own."</p> })}
                        }
                    })}
                </Transition>
                <fieldset class="ports">
                    <legend>"Ports"</legend>
                    {all_ports.iter().map(|t| {
                        let t = t.clone();
                        let t2 = t.clone();
                        let shown = t.clone();
                        view! {
                            <label class="mono">
                                <input type="checkbox" class="request-port" prop:checked=move || ports.get().contains(&t)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        ports.update(|v| { v.retain(|x| *x != t2); if on { v.push(t2.clone()) } });
                                    } />
                                {shown}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <label class="wide">"Purpose" <textarea id="request-purpose" rows="2" prop:value=move || purpose.get() on:input=move |ev| purpose.set(event_target_value(&ev))></textarea></label>
                {move || match draft() {
                    Err(why) => view! { <p class="muted" id="request-problem">{why}</p> }.into_any(),
                    Ok(req) => {
                        let plan = grant_plan(&req);
                        let cmds = kafka_acls_commands(&plan, "BOOTSTRAP", false).join("\n");
                        view! {
                            <p>"An approval would create exactly these ACL bindings:"</p>
                            <div id="request-plan">{crate::routes::requests::plan_view(&plan)}</div>
                            <details><summary>"As kafka-acls.sh commands"</summary><pre class="mono">{cmds}</pre></details>
                        }.into_any()
                    }
                }}
                <button id="send-request" prop:disabled=move || draft_for_button().is_err() on:click=send>"Send request"</button>
                {move || sent.get().map(|r| match r {
                    Ok(m) => view! { <p class="ok" id="request-sent">{m}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert" id="request-sent">{e}</p> }.into_any(),
                })}
                {move || login.get().map(|l| view! {
                    <div class="notice consumer-login" id="consumer-login">
                        <p>{format!("The sandbox made a login for {}. Give it to the application that will consume; it is shown only now.", l.principal)}</p>
                        <dl class="facts">
                            <dt>"User (SASL PLAIN or SCRAM)"</dt><dd class="mono" id="consumer-login-user">{l.user.clone()}</dd>
                            <dt>"Password"</dt><dd class="mono" id="consumer-login-password">{l.password.clone()}</dd>
                            <dt>"Kept in the keyring as"</dt><dd class="mono">{l.keyring_entry.clone()}</dd>
                        </dl>
                    </div>
                })}
            </details>
        })}
        <h3>"Access history"</h3>
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let h = history.await?;
                    Ok::<_, IpcError>(if h.is_empty() {
                        view! { <p class="muted" id="access-history-empty">"No requests yet."</p> }.into_any()
                    } else {
                        view! {
                            <table id="access-history">
                                <thead><tr><th>"Consumer"</th><th>"Domain"</th><th>"Asked by"</th><th>"State"</th><th>"ACLs"</th></tr></thead>
                                <tbody>{h.into_iter().map(|v| view! {
                                    <tr>
                                        <td class="mono">{v.request.consumer.to_string()}</td>
                                        <td>{v.request.requester_domain.to_string()}</td>
                                        <td>{v.requested_by.clone()}</td>
                                        <td>{if v.expired { "expired".to_owned() } else { v.state.name().to_owned() }}</td>
                                        <td>{v.grant.map(|g| g.status.replace('_', " ")).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// Exports for everyone; edit and deprecate for the owners.
#[component]
fn ProductActions(id: String, owner: bool, deprecated: Option<String>) -> impl IntoView {
    use meshdesk_contract::{DeprecateProduct, DeprecateRequest, EditProduct, ExportProduct, ExportRequest};
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let export = {
        let id = id.clone();
        move |format: &'static str| {
            let req = ExportRequest { id: id.clone(), format: format.into() };
            leptos::task::spawn_local(async move {
                let r = ipc::call::<ExportProduct>(&req).await;
                outcome.set(Some(
                    r.map(|e| match e.path {
                        Some(p) => format!("Saved {p}"),
                        None => "Export cancelled.".into(),
                    })
                    .map_err(|e| e.message),
                ));
            });
        }
    };
    let (odcs, asyncapi) = (export.clone(), export);
    let navigate = use_navigate();
    let edit = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match ipc::call::<EditProduct>(&ProductRequest { id }).await {
                    Ok(d) => navigate(&format!("/wizard/{}", d.draft.id), Default::default()),
                    Err(e) => outcome.set(Some(Err(e.message))),
                }
            });
        }
    };
    let sunset = RwSignal::new(String::new());
    let deprecate = move |_| {
        let req = DeprecateRequest { id: id.clone(), sunset: sunset.get_untracked().trim().to_owned() };
        leptos::task::spawn_local(async move {
            let r = ipc::call::<DeprecateProduct>(&req).await;
            outcome.set(Some(
                r.map(|_| "Deprecated; every desktop shows it once the log is read.".to_owned()).map_err(|e| e.message),
            ));
        });
    };
    view! {
        <div class="product-actions">
            <button id="export-odcs" on:click=move |_| odcs("odcs")>"Export contract (ODCS)"</button>
            <button id="export-asyncapi" on:click=move |_| asyncapi("asyncapi")>"Export AsyncAPI"</button>
            {owner.then(|| view! {
                <button id="edit-product" on:click=edit>"Edit"</button>
                <input id="sunset-date" type="date" prop:value=move || sunset.get() on:input=move |ev| sunset.set(event_target_value(&ev)) />
                <button id="deprecate-product" on:click=deprecate>"Deprecate"</button>
            })}
            {deprecated.map(|d| view! { <span class="badge status">{format!("sunset {d}")}</span> })}
        </div>
        {move || outcome.get().map(|o| match o {
            Ok(m) => view! { <p class="ok" id="action-outcome">{m}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert" id="action-outcome">{e}</p> }.into_any(),
        })}
    }
}
