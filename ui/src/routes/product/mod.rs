//! A product's page: its title, badges and the owners' actions, then tabs (`?tab=`): overview,
//! schema (each port's live configuration, schema and history), contract, quality (live health
//! and decoded samples), lineage, access (request it, who has it), environments (where it
//! exists and at which version, and its promotion).

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use meshdesk_contract::{
    GetProduct, GetProductHealth, GetSubject, HealthLevel, IpcError, LineageNode, PortHealth, PortLive,
    PortSampleRequest, ProductDetail, ProductRequest, RatePoint, RegistryContractView, SampleProductPort, SampleValue,
    SubjectRequest,
};
use meshdesk_domain::OutputPort;

use crate::components::errors::ErrorList;
use crate::components::time::When;
use crate::ipc;
use crate::routes::schemas::History;
use leptos_router::components::A;

mod access;
mod actions;
mod changes;
mod contract;
mod environments;
mod lineage;
mod ports;
mod quality;

use access::Access;
use actions::ProductActions;
use contract::Contract;
use lineage::Lineage;
use meshdesk_domain::time::duration_words as human_ms;
use ports::{Port, Samples};
use quality::{HealthBadge, LiveQuality, live_health};

/// How often live quality is refreshed while the page is open.
const HEALTH_EVERY: Duration = Duration::from_secs(5);

/// A product's page: overview, ports with live configs and schema history, contract, live
/// quality with its health badge, decoded samples and lineage.
#[component]
pub fn ProductPage() -> impl IntoView {
    let refresh = expect_context::<crate::Refresh>();
    let params = use_params_map();
    let id = move || params.get().get("id").unwrap_or_default();
    // Read again whenever the catalog changes (a deprecation, an edit, a grant), but drawn again
    // only if the product itself changed, so a form being filled in is not reset for nothing.
    let detail = LocalResource::new(move || {
        refresh.catalog.track();
        let id = id();
        async move { ipc::call::<GetProduct>(&ProductRequest { id }).await }
    });
    let current = Memo::new(move |_| detail.get());
    view! {
        <section class="page product-page">
            {move || match current.get() {
                None => view! { <p class="muted">"Loading the product…"</p> }.into_any(),
                Some(Err(e)) => view! { <crate::components::errors::ErrorMessage error=e /> }.into_any(),
                Some(Ok(d)) => view! { <Product d /> }.into_any(),
            }}
        </section>
    }
}

/// The product page's tabs: key (in `?tab=`), label.
const TABS: [(&str, &str); 8] = [
    ("overview", "Overview"),
    ("schema", "Schema"),
    ("contract", "Contract"),
    ("changes", "Changes"),
    ("quality", "Quality"),
    ("lineage", "Lineage"),
    ("access", "Access"),
    ("environments", "Environments"),
];

#[component]
fn Product(d: ProductDetail) -> impl IntoView {
    let p = d.product.clone();
    let class = format!("badge class-{}", p.classification);
    let status_class = format!("badge status status-{}", p.status);
    let id = p.id.as_str().to_owned();
    let health = live_health(id.clone());
    let query = leptos_router::hooks::use_query_map();
    let tab = Memo::new(move |_| {
        let t = query.with(|q| q.get("tab")).unwrap_or_default();
        TABS.iter().find(|(k, _)| *k == t).map_or("overview", |(k, _)| *k)
    });
    let tabs = {
        let id = id.clone();
        TABS.iter()
            .map(|(key, label)| {
                let key = *key;
                view! {
                    <A href=format!("/products/{id}?tab={key}") attr:id=format!("tab-{key}") attr:role="tab"
                        attr:class=move || if tab.get() == key { "active" } else { "" }>{*label}</A>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page-head product-head">
            <h1 id="product-title">{p.title.clone()}</h1>
            <span class=class title="Classification">{p.classification.to_string()}</span>
            <span class=status_class title="Status">{p.status.to_string()}</span>
            <HealthBadge health />
        </div>
        <div class="product-id mono">{id.clone()} " · v" {p.version.clone()}</div>
        <ProductActions id=id.clone() owner=d.viewer_is_owner deprecated=p.sunset.clone() />
        <changes::ChangeBanner changes=d.changes.clone() />
        <nav class="tabs" role="tablist" id="product-tabs">{tabs}</nav>
        <div class="tab-body" id=move || format!("tab-body-{}", tab.get())>
            {move || match tab.get() {
                "schema" => view! { <SchemaTab d=d.clone() /> }.into_any(),
                "contract" => view! { <h2>"Contract"</h2><Contract d=d.clone() /> }.into_any(),
                "changes" => view! { <h2>"Changes"</h2><changes::Changes d=d.clone() /> }.into_any(),
                "quality" => view! { <QualityTab d=d.clone() health /> }.into_any(),
                "lineage" => {
                    let p = &d.product;
                    view! {
                        <Lineage id=p.id.as_str().to_owned() title=p.title.clone() upstream=d.upstream.clone() sources=p.sources.clone() readers=d.readers.clone() note=d.readers_note.clone() />
                    }.into_any()
                }
                "access" => view! { <AccessTab d=d.clone() /> }.into_any(),
                "environments" => view! { <environments::EnvironmentsTab id=d.product.id.as_str().to_owned() /> }.into_any(),
                _ => view! { <Overview d=d.clone() /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Overview(d: ProductDetail) -> impl IntoView {
    let p = d.product.clone();
    let sla = p.sla.clone();
    let has_pii = !d.pii_paths.is_empty();
    view! {
        <p class="description">{p.description.clone()}</p>
        <dl class="facts">
            <dt>"Domain"</dt>
            <dd>{p.domain.to_string()}</dd>
            <dt>"Owners"</dt>
            <dd>{p.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Tags"</dt>
            <dd class="tags">{p.tags.iter().map(|t| view! { <span class="tag">{t.clone()}</span> }).collect_view()}</dd>
            <dt>"Topics"</dt>
            <dd class="mono">{p.output_ports.iter().map(|o| o.topic.to_string()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Freshness SLA"</dt>
            <dd>{sla.freshness_ms.map(human_ms).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Availability SLA"</dt>
            <dd>{sla.availability_bp.map(|b| format!("{:.2}%", b as f64 / 100.0)).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Retention SLA"</dt>
            <dd>{sla.retention_ms.map(human_ms).unwrap_or_else(|| "none".into())}</dd>
            <dt>"Published"</dt>
            <dd>{format!("by {}", d.published_by)}</dd>
            <dt>"Consumers"</dt>
            <dd>{match d.consumers.len() { 0 => "none yet".to_owned(), 1 => "1 principal has access".to_owned(), n => format!("{n} principals have access") }}</dd>
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
    }
}

/// Each port: its topic's live configuration, the schema as registered and its history.
#[component]
fn SchemaTab(d: ProductDetail) -> impl IntoView {
    d.product
        .output_ports
        .iter()
        .map(|port| {
            let live = d.ports.iter().find(|l| l.topic == port.topic.as_str()).cloned();
            view! { <Port port=port.clone() live /> }
        })
        .collect_view()
}

/// Live quality (badge reasons, rates, lag) and the newest records of each port.
#[component]
fn QualityTab(
    d: ProductDetail,
    health: LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>>,
) -> impl IntoView {
    let id = d.product.id.as_str().to_owned();
    view! {
        <h2>"Live quality"</h2>
        <LiveQuality health />
        {d.product.output_ports.iter().map(|port| view! {
            <div class="card port-samples" data-topic=port.topic.to_string()>
                <h3 class="mono">{port.topic.to_string()}</h3>
                <Samples product=id.clone() topic=port.topic.to_string() pii=d.pii_paths.clone() />
            </div>
        }).collect_view()}
    }
}

/// Requesting access, and who has it.
#[component]
fn AccessTab(d: ProductDetail) -> impl IntoView {
    let consumers = d.consumers.clone();
    view! {
        <Access d=d.clone() />
        <h2>"Consumers"</h2>
        {if consumers.is_empty() {
            view! { <p class="muted" id="consumers-empty">"No one has been granted access to this product."</p> }.into_any()
        } else {
            view! {
                <table class="consumers">
                    <thead><tr><th>"Principal"</th><th>"Domain"</th><th>"Since"</th><th>"Until"</th></tr></thead>
                    <tbody>
                        {consumers.into_iter().map(|c| view! {
                            <tr>
                                <td class="mono">{c.principal.clone()}</td>
                                <td>{c.domain.clone()}</td>
                                <td><When ms=c.since_ms /></td>
                                <td>{match c.until_ms { Some(u) => view! { <When ms=u /> }.into_any(), None => "no end".into_any() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
