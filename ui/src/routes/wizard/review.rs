//! Step 7: the exact plan, reviewed before anything is applied.

use super::*;

#[component]
pub(super) fn ReviewStep(draft: RwSignal<WizardDraft>) -> impl IntoView {
    let check = LocalResource::new(move || {
        let d = draft.get();
        async move { ipc::call::<CheckDraft>(&d).await }
    });
    view! {
        <h2>"7. Review"</h2>
        <p class="muted">"Nothing has been changed on the cluster yet. Publishing applies exactly this plan, step by step:"</p>
        <Transition fallback=|| view! { <p class="muted">"Checking…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let c = check.await?;
                    Ok::<_, IpcError>(view! {
                        <ol class="plan-steps mono" id="review-plan">{c.plan.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
                        <p id="review-verdict" class=if c.blocks { "error" } else { "ok" }>{if c.blocks { "The backend's policy check blocks publishing:" } else { "The backend's policy check passes." }}</p>
                        {findings_view(c.findings)}
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}
