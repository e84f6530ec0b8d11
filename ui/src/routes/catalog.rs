use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::{
    FacetCount, FirstPaint, Highlight, IpcError, ReportFirstPaint, SearchCatalog, SearchHit, SearchRequest,
    SearchResponse,
};

use crate::Refresh;
use crate::components::errors::ErrorList;
use crate::ipc;

/// How many hits a search shows (the counts cover all of them).
const PAGE: u32 = 50;

/// The filters a facet click sets; `None` shows every value.
#[derive(Clone, Copy)]
struct Filters {
    domain: RwSignal<Option<String>>,
    classification: RwSignal<Option<String>>,
    status: RwSignal<Option<String>>,
    tag: RwSignal<Option<String>>,
    has_pii: RwSignal<Option<String>>,
    breaks_policy: RwSignal<Option<String>>,
}

impl Filters {
    fn clear(self) {
        for s in [self.domain, self.classification, self.status, self.tag, self.has_pii, self.breaks_policy] {
            s.set(None);
        }
    }
}

/// An empty catalog: while the governance log has not been read once, say that it is being read;
/// after that, that there are no products yet.
#[component]
fn FirstSync() -> impl IntoView {
    use meshdesk_contract::{GetEnvironmentStatus, NoArgs};
    let refresh = expect_context::<Refresh>();
    let status = LocalResource::new(move || {
        refresh.status.track();
        async move { ipc::call::<GetEnvironmentStatus>(&NoArgs {}).await }
    });
    view! {
        <Transition fallback=|| view! { <p class="empty" id="catalog-empty">"Reading the governance log…"</p> }>
            {move || Suspend::new(async move {
                let synced = status.await.map(|s| s.last_sync.is_some()).unwrap_or(true);
                if synced {
                    view! { <p class="empty" id="catalog-empty">"No data products yet. Create the first one with New product, or adopt a topic from Unmanaged topics."</p> }.into_any()
                } else {
                    view! { <p class="empty loading" id="catalog-empty" aria-busy="true">"Reading the governance log: the catalog fills in a moment…"</p> }.into_any()
                }
            })}
        </Transition>
    }
}

/// The catalog: full-text search over the local cache (works offline) with facets and counts;
/// results update as you type.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let text = RwSignal::new(String::new());
    let f = Filters {
        domain: RwSignal::new(None),
        classification: RwSignal::new(None),
        status: RwSignal::new(None),
        tag: RwSignal::new(None),
        has_pii: RwSignal::new(None),
        breaks_policy: RwSignal::new(None),
    };
    let results = LocalResource::new(move || {
        refresh.catalog.track();
        let req = SearchRequest {
            text: Some(text.get()).filter(|t| !t.trim().is_empty()),
            domain: f.domain.get(),
            classification: f.classification.get(),
            status: f.status.get(),
            tag: f.tag.get(),
            has_pii: f.has_pii.get().map(|v| v == "yes"),
            breaks_policy: f.breaks_policy.get().map(|v| v == "yes"),
            limit: PAGE,
        };
        async move { ipc::call::<SearchCatalog>(&req).await }
    });
    // The first paint of the catalog is reported once, for the start-up figure.
    let reported = StoredValue::new(false);
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Catalog"</h1>
                <input
                    class="search"
                    id="catalog-search"
                    type="search"
                    placeholder="Search products, topics, fields, tags, owners…"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
                <A href="/unmanaged">"Unmanaged topics"</A>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let r = results.await?;
                        if !reported.get_value() {
                            reported.set_value(true);
                            let products = r.total as u32;
                            request_animation_frame(move || {
                                leptos::task::spawn_local(async move {
                                    // A failed report only loses the figure; say so in the console.
                                    if let Err(e) = ipc::call::<ReportFirstPaint>(&FirstPaint { products }).await {
                                        leptos::logging::error!("start-up figure not recorded: {e}");
                                    }
                                });
                            });
                        }
                        Ok::<_, IpcError>(results_view(r, f, !text.get_untracked().trim().is_empty()))
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn results_view(r: SearchResponse, f: Filters, searching: bool) -> AnyView {
    let any_filter = f.domain.get_untracked().is_some()
        || f.classification.get_untracked().is_some()
        || f.status.get_untracked().is_some()
        || f.tag.get_untracked().is_some()
        || f.has_pii.get_untracked().is_some()
        || f.breaks_policy.get_untracked().is_some();
    let list = if r.hits.is_empty() {
        if searching || any_filter {
            view! {
                <div class="empty" id="catalog-empty">
                    <p>{if any_filter { "No product matches this search with the filters chosen." } else { "No product matches this search." }}</p>
                    {any_filter.then(|| view! { <button class="secondary" id="catalog-empty-clear" on:click=move |_| f.clear()>"Clear the filters"</button> })}
                </div>
            }.into_any()
        } else {
            view! { <FirstSync /> }.into_any()
        }
    } else {
        let shown = r.hits.len() as i64;
        let more = if r.total > shown { format!(" (showing the best {shown})") } else { String::new() };
        view! {
            <p class="muted" id="catalog-count">
                {format!("{} data product{}{more} · {:.1} ms", r.total, if r.total == 1 { "" } else { "s" }, r.took_us as f64 / 1000.0)}
            </p>
            <ul class="cards" id="catalog-list">
                {r.hits.into_iter().map(product_card).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div class="catalog">
            <aside class="facets" id="facets">
                {facet("Domain", "domain", r.facets.domain, f.domain)}
                {facet("Classification", "classification", r.facets.classification, f.classification)}
                {facet("Status", "status", r.facets.status, f.status)}
                {facet("Personal data", "has_pii", r.facets.has_pii, f.has_pii)}
                {facet("Breaks a policy", "breaks_policy", r.facets.breaks_policy, f.breaks_policy)}
                {facet("Tag", "tag", r.facets.tag, f.tag)}
                {any_filter.then(|| view! { <button class="secondary clear-filters" id="clear-filters" on:click=move |_| f.clear()>"Clear the filters"</button> })}
            </aside>
            <div class="results">{list}</div>
        </div>
    }
    .into_any()
}

/// One facet: its values with counts; clicking a value filters by it, clicking it again clears.
fn facet(
    title: &'static str,
    key: &'static str,
    values: Vec<FacetCount>,
    selected: RwSignal<Option<String>>,
) -> AnyView {
    let current = selected.get_untracked();
    if values.is_empty() && current.is_none() {
        return ().into_any();
    }
    // The value chosen stays visible (and can be cleared) even when nothing matches it now.
    let mut values = values;
    if let Some(c) = &current
        && !values.iter().any(|v| &v.value == c)
    {
        values.insert(0, FacetCount { value: c.clone(), count: 0 });
    }
    view! {
        <div class="facet" data-facet=key>
            <h3>{title}</h3>
            <ul>
                {values
                    .into_iter()
                    .map(|v| {
                        let on = current.as_deref() == Some(v.value.as_str());
                        let value = v.value.clone();
                        view! {
                            <li>
                                <button
                                    class=if on { "facet-value on" } else { "facet-value" }
                                    data-value=v.value.clone()
                                    on:click=move |_| {
                                        selected.update(|s| *s = if on { None } else { Some(value.clone()) })
                                    }
                                >
                                    <span>{v.value.clone()}</span>
                                    <span class="count">{v.count}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

fn highlight_view(h: Highlight) -> impl IntoView {
    let label = match h.field.as_str() {
        "fields" => "field",
        "docs" => "field docs",
        "topics" => "topic",
        "tags" => "tag",
        "owners" => "owner",
        other => other,
    }
    .to_owned();
    view! {
        <li class="highlight" data-field=h.field.clone()>
            <span class="hl-field">{label}</span>
            {h
                .parts
                .into_iter()
                .map(|p| if p.matched { view! { <mark>{p.text}</mark> }.into_any() } else { p.text.into_any() })
                .collect_view()}
        </li>
    }
}

fn product_card(hit: SearchHit) -> impl IntoView {
    let p = hit.product;
    let class = format!("badge class-{}", p.classification);
    let href = format!("/products/{}", p.id);
    view! {
        <li class="card product-card" data-product-id=p.id.clone()>
            <div class="card-head">
                <h2 class="product-title">
                    <A href=href>{p.title.clone()}</A>
                </h2>
                <span class=class>{p.classification.to_string()}</span>
                <span class="badge status">{p.status.to_string()}</span>
                {hit.has_pii.then(|| view! { <span class="badge pii">"PII"</span> })}
                {hit.breaks_policy.then(|| view! {
                    <A href="/policies" attr:class="badge breaks-policy" attr:title="This product breaks a policy in force: the Policies page says which">"breaks a policy"</A>
                })}
            </div>
            <div class="product-id mono">{p.id.clone()} " · v" {p.version.clone()}</div>
            <p>{p.description.clone()}</p>
            {(!hit.highlights.is_empty())
                .then(|| {
                    view! {
                        <ul class="highlights">{hit.highlights.into_iter().map(highlight_view).collect_view()}</ul>
                    }
                })}
            <dl class="facts">
                <dt>"Domain"</dt>
                <dd>{p.domain.clone()}</dd>
                <dt>"Topics"</dt>
                <dd class="mono">{p.topics.join(", ")}</dd>
                <dt>"Owners"</dt>
                <dd>{p.owners.join(", ")}</dd>
            </dl>
            <div class="tags">{p.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}</div>
        </li>
    }
}
