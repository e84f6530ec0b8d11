//! What publications changed for the product's readers: new schema versions, ports added and
//! deprecated (with the sunset date and the port to move to), the product deprecated. Readers
//! acknowledge a change; owners see each grant's migration (acknowledged, still reading the old
//! port, moved), from the consumer groups' committed offsets.

use meshdesk_contract::{AcknowledgeChange, AcknowledgeRequest, ChangeView, Migration};

use super::*;
use crate::components::time::When;

/// The banner on top of the page for a reader with changes not yet acknowledged.
#[component]
pub(super) fn ChangeBanner(changes: Vec<ChangeView>) -> impl IntoView {
    let open: Vec<ChangeView> = changes.into_iter().filter(|c| c.viewer_reads && !c.viewer_acknowledged).collect();
    (!open.is_empty()).then(|| {
        let act = open.iter().any(|c| c.change.needs_action());
        view! {
            <div class=if act { "notice-banner action" } else { "notice-banner" } id="change-banner" role="status">
                <strong>{if act { "This product changed, and you need to act:" } else { "This product changed:" }}</strong>
                <ul>{open.iter().map(|c| view! { <li>{c.change.describe()}</li> }).collect_view()}</ul>
                <AcknowledgeButton product=open[0].product.clone() events=open.iter().map(|c| c.event_id.clone()).collect() />
            </div>
        }
    })
}

/// Acknowledges every listed change event (one signed event each).
#[component]
fn AcknowledgeButton(product: String, events: Vec<String>) -> impl IntoView {
    let refresh = expect_context::<crate::Refresh>();
    let mut unique = events;
    unique.sort();
    unique.dedup();
    let ack = Action::new_local(move |_: &()| {
        let (product, events) = (product.clone(), unique.clone());
        async move {
            for event_id in events {
                ipc::call::<AcknowledgeChange>(&AcknowledgeRequest { product: product.clone(), event_id }).await?;
            }
            Ok::<(), IpcError>(())
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = ack.value().get() {
            refresh.catalog.update(|n| *n += 1);
        }
    });
    view! {
        <button id="acknowledge-change" prop:disabled=move || ack.pending().get() on:click=move |_| { ack.dispatch(()); }>
            {move || if ack.pending().get() { "Acknowledging…" } else { "Acknowledge" }}
        </button>
        {move || match ack.value().get() {
            Some(Err(e)) => view! { <crate::components::errors::ErrorMessage error=e /> }.into_any(),
            _ => ().into_any(),
        }}
    }
}

#[component]
pub(super) fn Changes(d: ProductDetail) -> impl IntoView {
    if d.changes.is_empty() {
        return view! { <p class="muted" id="changes">"No changes since the product was first published here."</p> }
            .into_any();
    }
    let owner = d.viewer_is_owner;
    view! {
        <ul class="changes" id="changes">
            {d.changes.into_iter().map(|c| {
                let migrations = c.migrations.clone();
                let asks = c.change.needs_action();
                view! {
                    <li class="change" class:action=asks>
                        <div>{c.change.describe()}</div>
                        <div class="muted">
                            <When ms=c.at_ms />{format!(" · by {}", c.by)}
                            {(!c.acknowledged_by.is_empty()).then(|| format!(" · acknowledged by {}", c.acknowledged_by.join(", ")))}
                        </div>
                        {(owner && asks).then(|| view! { <MigrationTable migrations /> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn MigrationTable(migrations: Vec<Migration>) -> impl IntoView {
    if migrations.is_empty() {
        return view! { <p class="muted">"No grant in force reads this port."</p> }.into_any();
    }
    let groups = |g: &[meshdesk_contract::GroupOnPort]| {
        g.iter().map(|x| format!("{} (lag {})", x.group, x.lag)).collect::<Vec<_>>().join(", ")
    };
    view! {
        <table class="migrations" id="migrations">
            <thead><tr><th>"Reader"</th><th>"Domain"</th><th>"State"</th><th>"On the old port"</th><th>"On the new port"</th></tr></thead>
            <tbody>
                {migrations.into_iter().map(|m| view! {
                    <tr>
                        <td class="mono">{m.consumer.clone()}</td>
                        <td>{m.domain.clone()}</td>
                        <td>{m.state()}</td>
                        <td class="mono">{groups(&m.on_old)}</td>
                        <td class="mono">{groups(&m.on_new)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
