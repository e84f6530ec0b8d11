use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use meshdesk_contract::{
    AdoptInWizard, AdoptRequest, AdoptTopic, Classification, IpcError, ListUnmanaged, NoArgs, UnmanagedTopic,
};

use crate::components::errors::ErrorList;
use crate::components::time::When;
use crate::ipc;

/// Topics on the cluster and subjects in the registry that no product manages; an owner adopts
/// a topic into a new or existing product without touching the topic. A table with a filter, so
/// that hundreds of topics stay usable; one adoption form open at a time.
#[component]
pub fn UnmanagedPage() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        async { ipc::call::<ListUnmanaged>(&NoArgs {}).await }
    });
    let filter = RwSignal::new(String::new());
    let open = RwSignal::new(None::<String>);
    // An adoption's outcome, kept here: the adopted topic leaves the list.
    let adopted = RwSignal::new(None::<String>);
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Unmanaged topics and subjects"</h1>
                <input class="search" id="unmanaged-filter" type="search" placeholder="Filter topics…"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                <A href="/">"Back to the catalog"</A>
            </div>
            {move || adopted.get().map(|m| view! { <p class="ok adopt-outcome" id="adopted">{m}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Listing the cluster's topics and the registry's subjects…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let u = list.await?;
                        let total = u.topics.len();
                        Ok::<_, IpcError>(view! {
                            {u.errors.into_iter().map(|e| view! { <p class="error">{e}</p> }).collect_view()}
                            {u.topics_as_of_ms.map(|at| view! { <p class="muted" id="unmanaged-as-of">"Cluster topics as listed " <When ms=at /></p> })}
                            {if u.topics.is_empty() {
                                view! { <p class="empty" id="unmanaged-empty">"Every topic on the cluster belongs to a product."</p> }.into_any()
                            } else {
                                let topics = u.topics.clone();
                                view! {
                                    <p class="muted" id="unmanaged-count">{move || {
                                        let f = filter.get().trim().to_lowercase();
                                        let shown = topics.iter().filter(|t| f.is_empty() || t.topic.to_lowercase().contains(&f)).count();
                                        if shown == total { format!("{total} topic{} no product manages", if total == 1 { "" } else { "s" }) } else { format!("{shown} of {total} topics") }
                                    }}</p>
                                    <div class="table-wrap">
                                        <table id="unmanaged-topics">
                                            <thead><tr><th>"Topic"</th><th>"Partitions"</th><th>"Value schema"</th><th>"Suggested product"</th><th></th></tr></thead>
                                            <tbody>
                                                {u.topics.into_iter().map(|t| {
                                                    let name = t.topic.clone();
                                                    let lower = name.to_lowercase();
                                                    let shown = Memo::new(move |_| { let f = filter.get().trim().to_lowercase(); f.is_empty() || lower.contains(&f) });
                                                    let is_open = { let name = name.clone(); move || open.get().as_deref() == Some(name.as_str()) };
                                                    let toggle = { let name = name.clone(); move |_| open.update(|o| *o = if o.as_deref() == Some(name.as_str()) { None } else { Some(name.clone()) }) };
                                                    let is_open2 = is_open.clone();
                                                    view! {
                                                        <tr class="unmanaged" data-topic=name.clone() style:display=move || if shown.get() { "" } else { "none" }>
                                                            <td class="mono">{name.clone()}</td>
                                                            <td>{t.partitions}</td>
                                                            <td class="mono">{t.value_subject.clone().unwrap_or_else(|| "none".into())}</td>
                                                            <td class="mono">{t.suggested_product.clone().unwrap_or_default()}</td>
                                                            <td><button class="secondary adopt-open" on:click=toggle>{move || if is_open() { "Close" } else { "Adopt…" }}</button></td>
                                                        </tr>
                                                        {move || (is_open2() && shown.get()).then(|| { let t = t.clone(); view! {
                                                            <tr class="adopt-row"><td colspan="5"><Adopt t reload adopted /></td></tr>
                                                        } })}
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }.into_any()
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

/// What the adoption form holds: the product (new or existing) the topic goes into.
#[derive(Clone, Copy)]
struct AdoptFields {
    product: RwSignal<String>,
    title: RwSignal<String>,
    description: RwSignal<String>,
    owners: RwSignal<String>,
    classification: RwSignal<Classification>,
}

impl AdoptFields {
    /// The form, empty but for the suggested product id.
    fn new(suggested_product: Option<String>) -> Self {
        AdoptFields {
            product: RwSignal::new(suggested_product.unwrap_or_default()),
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            owners: RwSignal::new(String::new()),
            classification: RwSignal::new(Classification::Internal),
        }
    }

    /// What is wrong with the product id as typed (read reactively), checked by the backend's parser.
    fn id_problem(self) -> Option<String> {
        meshdesk_domain::ProductId::parse(self.product.get().trim()).err().map(|_| {
            "Write the product id as domain.product-name in lower case, for example inventory.shipments.".to_owned()
        })
    }

    /// The request to adopt `topic` with what the form holds now (read without tracking).
    fn request(self, topic: String) -> AdoptRequest {
        AdoptRequest {
            topic,
            product: self.product.get_untracked().trim().to_owned(),
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            classification: self.classification.get_untracked(),
            owners: self
                .owners
                .get_untracked()
                .split(',')
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
        }
    }
}

/// The adoption form of one topic: adopt it now, or document it in the wizard first.
#[component]
fn Adopt(t: UnmanagedTopic, reload: RwSignal<u32>, adopted: RwSignal<Option<String>>) -> impl IntoView {
    let fields = AdoptFields::new(t.suggested_product.clone());
    // A refusal stays next to the form, with what was typed.
    let outcome = RwSignal::new(None::<IpcError>);
    let busy = RwSignal::new(false);
    let topic = t.topic.clone();
    let wizard_topic = t.topic.clone();
    let navigate = use_navigate();
    let in_wizard = move |_| {
        let req = fields.request(wizard_topic.clone());
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match ipc::call::<AdoptInWizard>(&req).await {
                Ok(d) => navigate(&format!("/wizard/{}", d.draft.id), Default::default()),
                Err(e) => outcome.set(Some(e)),
            }
        });
    };
    let adopt = move |_| {
        let req = fields.request(topic.clone());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = ipc::call::<AdoptTopic>(&req).await;
            busy.set(false);
            match r {
                Ok(a) => {
                    adopted.set(Some(format!(
                        "{} {}: it appears in the catalog once the governance log is read back.",
                        if a.extended_existing { "Added as a new port of" } else { "Published as" },
                        a.product,
                    )));
                    reload.update(|n| *n += 1);
                }
                Err(e) => outcome.set(Some(e)),
            }
        });
    };
    view! {
        <div class="adopt-form" data-topic=t.topic.clone()>
            <AdoptForm fields />
            <div class="form-row">
                <button class="adopt-wizard" prop:disabled=move || fields.id_problem().is_some() on:click=in_wizard>"Document it in the wizard, then adopt"</button>
                <button class="secondary adopt" prop:disabled=move || busy.get() || fields.id_problem().is_some() on:click=adopt>{move || if busy.get() { "Adopting…" } else { "Adopt now as it is" }}</button>
            </div>
            <p class="muted">"Either way the topic is not recreated or altered."</p>
            {move || outcome.get().map(|e| view! { <div class="adopt-outcome"><crate::components::errors::ErrorMessage error=e /></div> })}
        </div>
    }
}

/// The adoption form's fields: product id (checked once touched), title, description, owners, classification.
#[component]
fn AdoptForm(fields: AdoptFields) -> impl IntoView {
    let AdoptFields { product, title, description, owners, classification } = fields;
    // Checked as typed, once the field was touched: the same parser the backend uses.
    let touched = RwSignal::new(false);
    let id_problem = move || fields.id_problem();
    view! {
        <div class="form-grid">
            <label>"Product id" <input class="adopt-product" class:invalid=move || touched.get() && id_problem().is_some() prop:value=move || product.get() on:input=move |ev| product.set(event_target_value(&ev)) on:blur=move |_| touched.set(true) placeholder="domain.product-name" />
                {move || touched.get().then(id_problem).flatten().map(|p| view! { <span class="field-error adopt-product-error">{p}</span> })}
            </label>
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
    }
}
