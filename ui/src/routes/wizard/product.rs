//! Step 2: the product's name, description, classification, owners and tags.

use super::*;

#[component]
pub(super) fn ProductStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    let name_error = RwSignal::new(None::<String>);
    let catalog = LocalResource::new(|| async {
        ipc::call::<meshdesk_contract::ListProducts>(&meshdesk_contract::ProductQuery::default()).await
    });
    view! {
        <h2>"2. Product"</h2>
        <div class="form-grid">
            <label>"Name (kebab-case)"
                // The text as typed is kept here; the draft takes it once it is a valid name.
                <input id="product-name" prop:value=draft.with_untracked(|d| d.product.id.name().to_owned())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        let id = draft.with_untracked(|d| ProductId::new(&d.product.domain, v.trim()));
                        match id {
                            Ok(id) => { draft.update(|d| d.product.id = id); name_error.set(None) }
                            Err(e) => name_error.set(Some(e.to_string())),
                        }
                    } />
            </label>
            {text_input("product-title", "Title", move || draft.with(|d| d.product.title.clone()), move |v| draft.update(|d| d.product.title = v))}
            <label>"Classification"
                <select id="product-classification" on:change=move |ev| { if let Ok(c) = event_target_value(&ev).parse() { draft.update(|d| d.product.classification = c) } }>
                    {Classification::ALL.iter().map(|c| view! { <option value=c.as_str() selected=move || draft.with(|d| d.product.classification == *c)>{c.as_str()}</option> }).collect_view()}
                </select>
            </label>
            {list_input("product-tags", "Tags (comma separated)", draft.with_untracked(|d| d.product.tags.join(", ")), move |v| draft.update(|d| d.product.tags = v.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect()))}
            {list_input("product-owners", "Owners (principals, comma separated)", draft.with_untracked(|d| d.product.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")), move |v| draft.update(|d| d.product.owners = v.split(',').filter_map(|o| Principal::parse(o.trim()).ok()).collect()))}
            <label>"Input ports (products it is derived from)"
                <select id="product-inputs" multiple=true on:change=move |ev| {
                    use wasm_bindgen::JsCast;
                    let Some(sel) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlSelectElement>().ok()) else { return };
                    let opts = sel.selected_options();
                    let chosen: Vec<ProductId> = (0..opts.length())
                        .filter_map(|i| opts.item(i))
                        .filter_map(|o| o.get_attribute("value"))
                        .filter_map(|v| ProductId::parse(&v).ok())
                        .collect();
                    draft.update(|d| d.product.input_ports = chosen);
                }>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let list = catalog.await.unwrap_or_default();
                            list.into_iter().map(|p| {
                                let id = p.id.clone();
                                let on = draft.with_untracked(|d| d.product.input_ports.iter().any(|x| x.as_str() == id));
                                view! { <option value=p.id.clone() selected=on>{format!("{} ({})", p.title, p.id)}</option> }
                            }).collect_view()
                        })}
                    </Transition>
                </select>
            </label>
        </div>
        <super::sources::SourcesEditor draft />
        <label class="wide">"Description"<textarea id="product-description" rows="3" prop:value=move || draft.with(|d| d.product.description.clone()) on:input=move |ev| draft.update(|d| d.product.description = event_target_value(&ev))></textarea></label>
        <p class="muted mono">{move || format!("id: {}", draft.with(|d| d.product.id.to_string()))}</p>
        {move || name_error.get().map(|e| view! { <p class="error">{e}</p> })}
        {move || findings_view(findings_at(&findings.get(), "product."))}
    }
}
