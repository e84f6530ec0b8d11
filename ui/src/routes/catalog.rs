use leptos::prelude::*;
use meshdesk_contract::{IpcError, ListProducts, ProductQuery, ProductSummary};

use crate::Refresh;
use crate::components::errors::ErrorList;
use crate::ipc;

/// The catalog: every data product in the local cache, filtered as you type.
#[component]
pub fn CatalogPage() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let text = RwSignal::new(String::new());
    let products = LocalResource::new(move || {
        refresh.catalog.track();
        let t = text.get();
        async move { ipc::call::<ListProducts>(&ProductQuery { text: Some(t).filter(|t| !t.trim().is_empty()) }).await }
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Catalog"</h1>
                <input
                    class="search"
                    id="catalog-search"
                    type="search"
                    placeholder="Filter by name, topic, tag…"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let list = products.await?;
                        Ok::<_, IpcError>(product_list(list, !text.get_untracked().trim().is_empty()))
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

fn product_list(list: Vec<ProductSummary>, filtered: bool) -> AnyView {
    if list.is_empty() {
        let msg = if filtered {
            "No product matches this filter."
        } else {
            "No data products yet. The catalog fills as soon as the environment's governance log is read."
        };
        return view! { <p class="empty" id="catalog-empty">{msg}</p> }.into_any();
    }
    let count = list.len();
    view! {
        <p class="muted">{format!("{count} data product{}", if count == 1 { "" } else { "s" })}</p>
        <ul class="cards" id="catalog-list">
            {list.into_iter().map(product_card).collect_view()}
        </ul>
    }
    .into_any()
}

fn product_card(p: ProductSummary) -> impl IntoView {
    let class = format!("badge class-{}", p.classification);
    view! {
        <li class="card product-card" data-product-id=p.id.clone()>
            <div class="card-head">
                <h2 class="product-title">{p.title.clone()}</h2>
                <span class=class>{p.classification.to_string()}</span>
                <span class="badge status">{p.status.to_string()}</span>
            </div>
            <div class="product-id mono">{p.id.clone()} " · v" {p.version.clone()}</div>
            <p>{p.description.clone()}</p>
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
