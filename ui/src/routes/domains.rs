use leptos::prelude::*;
use meshdesk_contract::{IpcError, ListAccess, ListDomains, NoArgs};

use crate::Refresh;
use crate::components::errors::ErrorList;
use crate::ipc;

/// The domains registered in the governance log, with their owners and product counts.
#[component]
pub fn DomainsPage() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let domains = LocalResource::new(move || {
        refresh.catalog.track();
        async move {
            let mut list = ipc::call::<ListDomains>(&NoArgs {}).await?;
            let mine = ipc::call::<ListAccess>(&NoArgs {}).await.map(|a| a.my_domains).unwrap_or_default();
            // Mine first, each marked.
            list.sort_by_key(|d| !mine.contains(&d.id));
            Ok::<_, IpcError>((list, mine))
        }
    });
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Domains"</h1>
            </div>
            <p class="muted">
                "Every domain registered in this environment. Which of them are yours follows from your Kafka principal, set per environment."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading domains…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let (list, mine) = domains.await?;
                        Ok::<_, IpcError>(if list.is_empty() {
                            view! { <p class="empty">"No domains are registered yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="cards">
                                    {list
                                        .into_iter()
                                        .map(|d| {
                                            let is_mine = mine.contains(&d.id);
                                            view! {
                                                <li class="card domain-card" class:mine=is_mine data-domain-id=d.id.clone()>
                                                    <div class="card-head">
                                                        <h2>{d.name.clone()}</h2>
                                                        {is_mine.then(|| view! { <span class="badge class-public domain-mine" title="You are one of its owners">"yours"</span> })}
                                                        <span class="badge">
                                                            {format!("{} product{}", d.product_count, if d.product_count == 1 { "" } else { "s" })}
                                                        </span>
                                                    </div>
                                                    <div class="mono muted">{d.id.clone()}</div>
                                                    <p>{d.description.clone()}</p>
                                                    <dl class="facts">
                                                        <dt>"Owners"</dt>
                                                        <dd>{d.owners.join(", ")}</dd>
                                                        <dt>"Contact"</dt>
                                                        <dd>{d.contact.clone()}</dd>
                                                    </dl>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}
