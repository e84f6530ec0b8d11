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
        </div>
        <fieldset class="input-ports" id="product-inputs">
            <legend>"Input ports: the catalog's products this one is derived from"</legend>
            <Transition fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
                {move || Suspend::new(async move {
                    let list = catalog.await.unwrap_or_default();
                    let own = draft.with_untracked(|d| d.product.id.to_string());
                    let list: Vec<_> = list.into_iter().filter(|p| p.id != own).collect();
                    if list.is_empty() {
                        return view! { <p class="muted">"The catalog has no other product yet."</p> }.into_any();
                    }
                    list.into_iter().map(|p| {
                        let id = p.id.clone();
                        let checked = { let id = id.clone(); move || draft.with(|d| d.product.input_ports.iter().any(|x| x.as_str() == id)) };
                        view! {
                            <label class="check">
                                <input type="checkbox" class="input-port" value=p.id.clone() prop:checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let Ok(pid) = ProductId::parse(&id) else { return };
                                    draft.update(|d| {
                                        d.product.input_ports.retain(|x| *x != pid);
                                        if on { d.product.input_ports.push(pid) }
                                    });
                                } />
                                " "{p.title.clone()}" "<span class="muted">{format!("({})", p.id)}</span>
                            </label>
                        }
                    }).collect_view().into_any()
                })}
            </Transition>
        </fieldset>
        <super::sources::SourcesEditor draft />
        <label class="wide">"Description"<textarea id="product-description" rows="3" prop:value=move || draft.with(|d| d.product.description.clone()) on:input=move |ev| draft.update(|d| d.product.description = event_target_value(&ev))></textarea></label>
        <p class="muted mono">{move || format!("id: {}", draft.with(|d| d.product.id.to_string()))}</p>
        {move || name_error.get().map(|e| view! { <p class="error">{e}</p> })}
        {move || findings_view(findings_at(&findings.get(), "product."))}
    }
}
