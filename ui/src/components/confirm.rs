//! A button for what cannot be undone (approve, deny, revoke, deprecate, register, remove): the
//! first click asks, in place, and only "Yes" acts.

use leptos::prelude::*;

/// Which confirmation is open on a page, kept above lists that re-render when new data arrives
/// (a question must not vanish under the user); buttons with a `key` use it when provided.
#[derive(Clone, Copy, Default)]
pub struct OpenConfirm(pub RwSignal<Option<String>>);

#[component]
pub fn ConfirmButton(
    /// The action, e.g. `Approve`.
    #[prop(into)]
    label: String,
    /// What it will do, as a question, e.g. `Approve Sam's request for 30 days?`.
    #[prop(into)]
    question: Signal<String>,
    /// The button's class (`approve`, `danger`, ...): the confirming button keeps it.
    #[prop(into, optional)]
    class: String,
    #[prop(into, optional)] disabled: Signal<bool>,
    /// The first button's id; the confirming one gets `<id>-confirm`.
    #[prop(into, optional)]
    id: String,
    /// Names this question in the page's [`OpenConfirm`], so it survives a re-render.
    #[prop(into, optional)]
    key: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let shared = use_context::<OpenConfirm>().filter(|_| !key.is_empty());
    let local = RwSignal::new(false);
    let asking = {
        let key = key.clone();
        Signal::derive(move || match shared {
            Some(OpenConfirm(open)) => open.with(|o| o.as_deref() == Some(key.as_str())),
            None => local.get(),
        })
    };
    let set_asking = move |on: bool| match shared {
        Some(OpenConfirm(open)) => open.set(on.then(|| key.clone())),
        None => local.set(on),
    };
    let yes_id = if id.is_empty() { String::new() } else { format!("{id}-confirm") };
    let (ask_class, yes_class) = (class.clone(), format!("confirm-yes {class}"));
    let (ask_label, yes_label) = (label.clone(), format!("Yes, {}", label.to_lowercase()));
    view! {
        {move || if asking.get() {
            view! {
                <span class="confirm" role="group">
                    <span class="confirm-question">{move || question.get()}</span>
                    <button id=yes_id.clone() class=yes_class.clone() on:click={let set_asking = set_asking.clone(); move |_| { set_asking(false); on_confirm.run(()); }}>{yes_label.clone()}</button>
                    <button class="confirm-no secondary" on:click={let set_asking = set_asking.clone(); move |_| set_asking(false)}>"Cancel"</button>
                </span>
            }.into_any()
        } else {
            view! {
                <button id=id.clone() class=ask_class.clone() disabled=move || disabled.get() on:click={let set_asking = set_asking.clone(); move |_| set_asking(true)}>{ask_label.clone()}</button>
            }.into_any()
        }}
    }
}
