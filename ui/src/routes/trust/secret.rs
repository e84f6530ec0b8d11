//! Settings' credentials form: stores a secret in the OS keyring under a name an environment
//! file then refers to (`{ keyring = "NAME" }`), so no password sits in the file.

use leptos::prelude::*;
use meshdesk_contract::{SecretForm, StoreSecret};

use crate::ipc;

#[component]
pub fn SecretSection() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let value = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let store = Action::new_local(move |_: &()| async move {
        let form = SecretForm { name: name.get_untracked().trim().to_owned(), value: value.get_untracked() };
        let r = ipc::call::<StoreSecret>(&form).await;
        outcome.set(Some(
            r.map(|at| {
                value.set(String::new());
                format!(
                    "Stored in {at}. In the environment file write {{ keyring = \"{}\" }} in place of the secret.",
                    form.name
                )
            })
            .map_err(|e| e.message),
        ));
    });
    let ready = move || !name.get().trim().is_empty() && !value.get().is_empty() && !store.pending().get();
    view! {
        <h2>"Credentials"</h2>
        <p class="muted">"Keep passwords and tokens out of environment files: store them here, in the system keyring, and refer to them by name."</p>
        <div class="form-grid" id="secret-form">
            <label for="secret-name">"Name"</label>
            <input id="secret-name" placeholder="prod-kafka" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="secret-value">"Secret"</label>
            <input id="secret-value" type="password" autocomplete="off" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        </div>
        <p><button id="store-secret" on:click=move |_| { store.dispatch(()); } disabled=move || !ready()>"Store in the keyring"</button></p>
        {move || outcome.get().map(|r| match r {
            Ok(m) => view! { <p class="ok" id="secret-outcome">{m}</p> }.into_any(),
            Err(e) => view! { <p class="error" role="alert" id="secret-outcome">{e}</p> }.into_any(),
        })}
    }
}
