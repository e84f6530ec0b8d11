use leptos::prelude::*;
use meshdesk_contract::IpcError;

/// Shows every error an `ErrorBoundary` caught: the plain message, the technical detail one
/// click away.
#[component]
pub fn ErrorList(errors: ArcRwSignal<Errors>) -> impl IntoView {
    view! {
        <div class="error" role="alert">
            <strong>"Something went wrong"</strong>
            <ul>
                {move || errors.get().into_iter().map(|(_, e)| {
                    let e: &(dyn std::error::Error + Send + Sync) = &**e;
                    match e.downcast_ref::<IpcError>() {
                        Some(ipc) => view! { <li><Detail message=ipc.message.clone() detail=ipc.detail.clone() /></li> }.into_any(),
                        None => view! { <li>{e.to_string()}</li> }.into_any(),
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// One error as a notice: plain words, the detail behind "Technical detail".
#[component]
pub fn ErrorMessage(error: IpcError, #[prop(optional, into)] id: Option<String>) -> impl IntoView {
    view! {
        <div class="error" role="alert" id=id>
            <Detail message=error.message detail=error.detail />
        </div>
    }
}

#[component]
fn Detail(message: String, detail: Option<String>) -> impl IntoView {
    let message = sentence(&message);
    view! {
        <span class="error-message">{message}</span>
        {detail.map(|d| view! {
            <details class="detail">
                <summary>"Technical detail"</summary>
                <pre class="mono">{d}</pre>
            </details>
        })}
    }
}

/// Sentences start with a capital, whichever layer wrote them.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
}
