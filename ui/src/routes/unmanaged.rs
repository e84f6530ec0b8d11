use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use meshdesk_contract::{
    AdoptInWizard, AdoptRequest, AdoptTopic, Classification, IpcError, ListUnmanaged, NoArgs, UnmanagedTopic,
};

use crate::components::errors::ErrorList;
use crate::ipc;

/// Topics on the cluster and subjects in the registry that no product manages; an owner adopts
/// a topic into a new or existing product without touching the topic.
#[component]
pub fn UnmanagedPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        async { ipc::call::<ListUnmanaged>(&NoArgs {}).await }
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Unmanaged topics and subjects"</h1>
                <A href="/">"Back to the catalog"</A>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Listing the cluster's topics and the registry's subjects…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let u = list.await?;
                        Ok::<_, IpcError>(view! {
                            {u.errors.into_iter().map(|e| view! { <p class="error">{e}</p> }).collect_view()}
                            {u.topics_as_of_ms.map(|at| {
                                let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64)).to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED);
                                view! { <p class="muted" id="unmanaged-as-of">{format!("Cluster topics as listed at {}", String::from(when))}</p> }
                            })}
                            {if u.topics.is_empty() {
                                view! { <p class="empty" id="unmanaged-empty">"Every topic on the cluster belongs to a product."</p> }.into_any()
                            } else {
                                view! { <ul class="cards" id="unmanaged-topics">{u.topics.into_iter().map(|t| view! { <Adopt t reload /> }).collect_view()}</ul> }.into_any()
                            }}
                            <h2>"Subjects without a topic"</h2>
                            {if u.subjects.is_empty() {
                                view! { <p class="muted">"None."</p> }.into_any()
                            } else {
                                view! { <ul class="mono">{u.subjects.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul> }.into_any()
                            }}
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

#[component]
fn Adopt(t: UnmanagedTopic, reload: RwSignal<u32>) -> impl IntoView {
    let product = RwSignal::new(t.suggested_product.clone().unwrap_or_default());
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let owners = RwSignal::new(String::new());
    let classification = RwSignal::new(Classification::Internal);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let topic = t.topic.clone();
    let wizard_topic = t.topic.clone();
    let navigate = use_navigate();
    let in_wizard = move |_| {
        let req = AdoptRequest {
            topic: wizard_topic.clone(),
            product: product.get_untracked().trim().to_owned(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            classification: classification.get_untracked(),
            owners: owners.get_untracked().split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ipc::call::<AdoptInWizard>(&req).await {
                Ok(d) => navigate(&format!("/wizard/{}", d.draft.id), Default::default()),
                Err(e) => outcome.set(Some(Err(e.message))),
            }
        });
    };
    let adopt = move |_| {
        let req = AdoptRequest {
            topic: topic.clone(),
            product: product.get_untracked().trim().to_owned(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            classification: classification.get_untracked(),
            owners: owners.get_untracked().split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = ipc::call::<AdoptTopic>(&req).await;
            busy.set(false);
            outcome.set(Some(
                r.map(|a| {
                    format!(
                        "{} {} (event {}). It appears in the catalog once the governance log is read back.",
                        if a.extended_existing { "Added as a new port of" } else { "Published as" },
                        a.product,
                        a.event_id
                    )
                })
                .map_err(|e| e.message),
            ));
            reload.update(|n| *n += 1);
        });
    };
    view! {
        <li class="card unmanaged" data-topic=t.topic.clone()>
            <h3 class="mono">{t.topic.clone()}</h3>
            <p class="muted">
                {format!("{} partition{}", t.partitions, if t.partitions == 1 { "" } else { "s" })}
                {t.value_subject.clone().map(|s| format!(" · value schema in {s}")).unwrap_or_else(|| " · no value schema".into())}
            </p>
            <div class="form-grid">
                <label>"Product id" <input class="adopt-product" prop:value=move || product.get() on:input=move |ev| product.set(event_target_value(&ev)) placeholder="domain.product-name" /></label>
                <label>"Title (new product)" <input class="adopt-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) /></label>
                <label>"Description" <input class="adopt-description" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) /></label>
                <label>"Owners (comma separated, default: you)" <input class="adopt-owners" prop:value=move || owners.get() on:input=move |ev| owners.set(event_target_value(&ev)) placeholder="User:alice" /></label>
                <label>"Classification"
                    <select class="adopt-classification" on:change=move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse() { classification.set(c) }
                    }>
                        {Classification::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == Classification::Internal>{c.as_str()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <button class="adopt-wizard" on:click=in_wizard>"Document it in the wizard, then adopt"</button>
            <button class="adopt" prop:disabled=move || busy.get() on:click=adopt>"Adopt now as it is"</button>
            <p class="muted">"Either way the topic is not recreated or altered."</p>
            {move || outcome.get().map(|o| match o {
                Ok(m) => view! { <p class="ok adopt-outcome">{m}</p> }.into_any(),
                Err(e) => view! { <p class="error adopt-outcome" role="alert">{e}</p> }.into_any(),
            })}
        </li>
    }
}
