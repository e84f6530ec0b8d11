use leptos::prelude::*;

/// Governance policies. Today the naming rules below are enforced by the domain model; policy
/// editing and live checks come with the wizard.
#[component]
pub fn PoliciesPage() -> impl IntoView {
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Policies"</h1>
            </div>
            <p class="muted">"Rules every domain shares. Those enforced in this version:"</p>
            <ul class="cards">
                <li class="card">
                    <h2>"Topic names"</h2>
                    <p>
                        "Topics are named " <code>"<domain>.<event-name>"</code>
                        ", both parts kebab-case, e.g. " <code>"inventory.stock-level-updated"</code>
                        ". Kafka's own rules apply too: letters, digits, " <code>"."</code> ", " <code>"_"</code>
                        " and " <code>"-"</code> " only, at most 249 characters."
                    </p>
                </li>
                <li class="card">
                    <h2>"Domain and product ids"</h2>
                    <p>
                        "Domain ids are kebab-case; product ids are " <code>"<domain>.<product>"</code>
                        ", and a product belongs to the domain in its id."
                    </p>
                </li>
            </ul>
        </section>
    }
}
