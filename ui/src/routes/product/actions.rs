//! Exports for everyone; edit and deprecate for the owners.

use super::*;
use crate::components::confirm::ConfirmButton;
use crate::components::errors::ErrorMessage;

/// Exports for everyone; edit and deprecate for the owners.
#[component]
pub(super) fn ProductActions(id: String, owner: bool, deprecated: Option<String>) -> impl IntoView {
    use meshdesk_contract::{DeprecateProduct, DeprecateRequest, EditProduct, ExportProduct, ExportRequest};
    let outcome = RwSignal::new(None::<Result<String, IpcError>>);
    let export = {
        let id = id.clone();
        move |format: &'static str| {
            let req = ExportRequest { id: id.clone(), format: format.into() };
            leptos::task::spawn_local(async move {
                let r = ipc::call::<ExportProduct>(&req).await;
                outcome.set(Some(r.map(|e| match e.path {
                    Some(p) => format!("Saved {p}"),
                    None => "Export cancelled.".into(),
                })));
            });
        }
    };
    let (odcs, asyncapi, other) = (export.clone(), export.clone(), export);
    // The catalogs' formats, picked from a list.
    let catalog_format = RwSignal::new("datahub");
    let navigate = use_navigate();
    let edit = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            let navigate = navigate.clone();
            leptos::task::spawn_local(async move {
                match ipc::call::<EditProduct>(&ProductRequest { id }).await {
                    Ok(d) => navigate(&format!("/wizard/{}", d.draft.id), Default::default()),
                    Err(e) => outcome.set(Some(Err(e))),
                }
            });
        }
    };
    let sunset = RwSignal::new(String::new());
    let deprecate = move |_: ()| {
        let req = DeprecateRequest { id: id.clone(), sunset: sunset.get_untracked().trim().to_owned() };
        leptos::task::spawn_local(async move {
            let r = ipc::call::<DeprecateProduct>(&req).await;
            outcome.set(Some(r.map(|_| "Deprecated; every desktop shows it once the log is read.".to_owned())));
        });
    };
    view! {
        <div class="product-actions">
            <button class="secondary" id="export-odcs" on:click=move |_| odcs("odcs")>"Export contract (ODCS)"</button>
            <button class="secondary" id="export-asyncapi" on:click=move |_| asyncapi("asyncapi")>"Export AsyncAPI"</button>
            <label class="export-catalog">"For a catalog: "
                <select id="export-catalog-format" on:change=move |ev| {
                    catalog_format.set(match event_target_value(&ev).as_str() {
                        "openlineage" => "openlineage",
                        "atlas" => "atlas",
                        _ => "datahub",
                    })
                }>
                    <option value="datahub">"DataHub"</option>
                    <option value="openlineage">"OpenLineage"</option>
                    <option value="atlas">"Apache Atlas"</option>
                </select>
            </label>
            <button class="secondary" id="export-catalog" on:click=move |_| other(catalog_format.get_untracked())>"Export"</button>
            {owner.then(|| view! {
                <button id="edit-product" on:click=edit>"Edit"</button>
                <input id="sunset-date" type="date" prop:value=move || sunset.get() on:input=move |ev| sunset.set(event_target_value(&ev)) />
                <ConfirmButton id="deprecate-product" label="Deprecate" class="danger"
                    question=Signal::derive(move || match sunset.get().trim() {
                        "" => "Deprecate it? Choose the sunset date first.".to_owned(),
                        d => format!("Deprecate it, retiring on {d}? Every consumer is told."),
                    })
                    on_confirm=Callback::new(move |_| deprecate(())) />
            })}
            {deprecated.map(|d| view! { <span class="badge status">{format!("sunset {d}")}</span> })}
        </div>
        {move || outcome.get().map(|o| match o {
            Ok(m) => view! { <p class="ok" id="action-outcome">{m}</p> }.into_any(),
            Err(e) => view! { <ErrorMessage error=e id="action-outcome" /> }.into_any(),
        })}
    }
}
