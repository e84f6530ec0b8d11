use leptos::prelude::*;

/// Cross-domain access requests. The request and approval flow is not built yet; the page says
/// so instead of showing an empty list that would look like "nobody asked".
#[component]
pub fn RequestsPage() -> impl IntoView {
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Requests"</h1>
            </div>
            <p class="empty">
                "Access requests are not available in this version yet. When they are, requests for your domains' products and your own requests appear here."
            </p>
        </section>
    }
}
