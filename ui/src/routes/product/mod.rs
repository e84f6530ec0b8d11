//! A product's page: overview, ports with live configs and schema history, contract, live
//! quality with its health badge, decoded samples, lineage, access and the owners' actions.

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

mod access;
mod actions;
mod contract;
mod lineage;
mod ports;
mod quality;

use access::Access;
use actions::ProductActions;
use contract::Contract;
use lineage::Lineage;
use ports::Port;
use quality::{HealthBadge, LiveQuality, live_health};

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
        <div class="page-head product-head">
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
        <Lineage id=id.clone() title=p.title.clone() upstream=d.upstream.clone() sources=p.sources.clone() readers=d.readers.clone() note=d.readers_note.clone() />
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
                            <tr><td class="mono">{c.principal.clone()}</td><td>{c.domain.clone()}</td><td>{meshdesk_domain::time::minute_utc(c.since_ms)}</td><td>{c.until_ms.map(meshdesk_domain::time::minute_utc).unwrap_or_else(|| "no end".into())}</td></tr>
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
