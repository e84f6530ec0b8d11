//! Step 1: the domain the product belongs to (only domains you own are offered).

use super::*;

/// Step 1: the domains I own to choose from, and registering a new one.
#[component]
pub(super) fn DomainStep(draft: RwSignal<WizardDraft>) -> impl IntoView {
    view! {
        <h2>"1. Domain"</h2>
        <p class="muted">"Choose one of your domains, or register a new one."</p>
        <DomainChoices draft />
        <NewDomain draft />
    }
}

/// Moves the draft's product, its ports' topics and their schemas' subjects to the domain `id`.
fn set_domain(draft: RwSignal<WizardDraft>, id: String) {
    draft.update(|d| {
        if let Ok(dom) = DomainId::parse(&id) {
            let name = d.product.id.name().to_owned();
            d.product.id = ProductId::new(&dom, &name).unwrap_or(d.product.id.clone());
            d.product.domain = dom;
            for p in &mut d.product.output_ports {
                let event = p.topic.as_str().split_once('.').map(|(_, e)| e.to_owned()).unwrap_or_default();
                if let Ok(t) = TopicName::for_event(&d.product.domain, &event) {
                    p.topic = t.clone();
                    for s in p.value_schema.iter_mut() {
                        s.subject = meshdesk_domain::subject_for(&t, false);
                    }
                }
            }
        }
    })
}

/// A radio button for each domain I own, and how many others are not offered.
#[component]
fn DomainChoices(draft: RwSignal<WizardDraft>) -> impl IntoView {
    // Only the domains I own can hold my products; the others are counted, not offered.
    let domains = LocalResource::new(|| async {
        let all = ipc::call::<ListDomains>(&NoArgs {}).await?;
        let me = ipc::call::<ListAccess>(&NoArgs {}).await.ok().and_then(|o| o.viewer);
        let (mine, others): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|d| me.as_ref().is_some_and(|m| d.owners.iter().any(|o| o == m)));
        Ok::<_, IpcError>((mine, others.len()))
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let (list, others) = domains.await?;
                    Ok::<_, IpcError>(view! {
                        {list.is_empty().then(|| view! { <p class="empty" id="no-own-domain">"You own no domain yet: register one below."</p> })}
                        <ul class="domain-choices">
                            {list.into_iter().map(|d| {
                                let id = d.id.clone();
                                let on = { let id = id.clone(); move || draft.with(|x| x.product.domain.as_str() == id && x.new_domain.is_none()) };
                                view! {
                                    <li>
                                        <label>
                                            <input type="radio" name="domain" class="domain-choice" value=d.id.clone() prop:checked=on
                                                on:change=move |_| { draft.update(|x| x.new_domain = None); set_domain(draft, id.clone()) } />
                                            <strong>{d.name.clone()}</strong>" "<span class="muted">{format!("({})", d.id)}</span>
                                        </label>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {(others > 0).then(|| view! { <p class="muted" id="other-domains">{format!("{others} domain{} owned by others {} not offered: a product belongs to a domain its owners run.", if others == 1 { "" } else { "s" }, if others == 1 { "is" } else { "are" })}</p> })}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// Registering a new domain: its id, then its name, description, owners and contact.
#[component]
fn NewDomain(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let new_id_text = RwSignal::new(String::new());
    let new_domain_id = Memo::new(move |_| draft.with(|d| d.new_domain.as_ref().map(|n| n.id.to_string())));
    view! {
        <details class="card" open=move || draft.with(|d| d.new_domain.is_some())>
            <summary>"Register a new domain"</summary>
            <div class="form-grid">
                <label>"Id (kebab-case)"<input id="new-domain-id" prop:value=move || new_id_text.get() on:input=move |ev| new_id_text.set(event_target_value(&ev)) /></label>
                <button id="new-domain-use" on:click=move |_| {
                    match DomainId::parse(new_id_text.get_untracked().trim()) {
                        Ok(id) => {
                            let owners = draft.with_untracked(|d| d.product.owners.clone());
                            draft.update(|d| d.new_domain = Some(Domain { id: id.clone(), name: id.to_string(), description: String::new(), owners, contact: String::new() }));
                            set_domain(draft, id.to_string());
                        }
                        Err(e) => new_id_text.set(format!("{} ({e})", new_id_text.get_untracked())),
                    }
                }>"Use this domain"</button>
            </div>
            {move || new_domain_id.get().map(|nd| view! {
                <div class="form-grid">
                    {text_input("new-domain-name", "Name", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.name.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.name = v }))}
                    {text_input("new-domain-description", "Description", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.description.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.description = v }))}
                    {list_input("new-domain-owners", "Owners (principals, comma separated)", draft.with_untracked(|d| d.new_domain.as_ref().map(|n| n.owners.iter().map(|o| o.to_string()).collect::<Vec<_>>().join(", ")).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.owners = v.split(',').filter_map(|o| Principal::parse(o.trim()).ok()).collect() }))}
                    {text_input("new-domain-contact", "Contact", move || draft.with(|d| d.new_domain.as_ref().map(|n| n.contact.clone()).unwrap_or_default()), move |v| draft.update(|d| if let Some(n) = d.new_domain.as_mut() { n.contact = v }))}
                    <p class="muted">{format!("Domain {nd} will be registered when the product is published.")}</p>
                </div>
            })}
        </details>
    }
}
