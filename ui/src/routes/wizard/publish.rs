//! Step 8: publishing step by step, with progress and Resume after a failure.

use super::*;
use meshdesk_contract::DraftStatus;

#[component]
pub(super) fn PublishStep(
    draft: RwSignal<WizardDraft>,
    status: RwSignal<DraftState>,
    findings: Memo<Vec<Finding>>,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<IpcError>);
    // While publishing, the journal is re-read so each step shows as it finishes.
    let id = draft.with_untracked(|d| d.id.clone());
    let poll_id = id.clone();
    set_interval(
        move || {
            if busy.get_untracked() {
                let id = poll_id.clone();
                leptos::task::spawn_local(async move {
                    if let Ok(s) = ipc::call::<GetDraft>(&DraftRequest { id }).await
                        && busy.get_untracked()
                    {
                        status.set(s);
                    }
                });
            }
        },
        Duration::from_millis(300),
    );
    let publish = move |_| {
        let id = id.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match ipc::call::<PublishDraft>(&DraftRequest { id }).await {
                Ok(s) => status.set(s),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <h2>"8. Publish"</h2>
        {move || (policy::blocks(&findings.get()) && status.with(|s| s.status == DraftStatus::Editing)).then(|| view! {
            <p class="error" id="publish-blocked">"The policy check has errors: fix them before publishing (step 6 lists them)."</p>
        })}
        <button id="publish" prop:disabled=move || busy.get() || status.with(|s| s.status == DraftStatus::Published) || (policy::blocks(&findings.get()) && status.with(|s| s.status == DraftStatus::Editing)) on:click=publish>
            {move || match status.with(|s| s.status) { DraftStatus::Failed => "Resume", DraftStatus::Published => "Published", _ => "Publish" }}
        </button>
        {move || busy.get().then(|| view! { <span class="muted">" applying…"</span> })}
        {move || error.get().map(|e| view! { <crate::components::errors::ErrorMessage error=e id="publish-error" /> })}
        <ol class="publish-steps" id="publish-steps">
            {move || status.with(|s| s.steps.clone()).into_iter().map(|s| {
                let (class, state, shown) = (format!("step {}", s.state.as_str()), s.state.as_str(), s.state.as_str());
                view! {
                    <li class=class data-state=state>
                        <span class="mono">{s.description}</span>" — "<strong>{shown}</strong>{s.result.map(|r| format!(": {r}"))}
                    </li>
                }
            }).collect_view()}
        </ol>
        {move || status.with(|s| s.last_error.clone()).map(|e| view! { <p class="error" id="publish-failure">{e}" — fix the cause and press Resume: finished steps are not repeated."</p> })}
        {move || (status.with(|s| s.status == DraftStatus::Published)).then(|| {
            let pid = draft.with(|d| d.product.id.to_string());
            view! { <p class="ok" id="publish-done">"Published. "<A href=format!("/products/{pid}")>"Open the product"</A>" — it appears in every desktop's catalog once the log is read."</p> }
        })}
    }
}
