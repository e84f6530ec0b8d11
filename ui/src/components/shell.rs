use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use meshdesk_contract::{EnvironmentKind, GetEnvironmentStatus, GetNotices, ListAccess, NoArgs, Probe, ProbeState};
use meshdesk_domain::access::RequestState;

use crate::Refresh;
use crate::components::parked::ParkedWrites;
use crate::ipc;

/// The frame of every page: navigation on the left, the environment indicator on top.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    // Who I am and how many requests wait for my decision, for the top bar and the sidebar.
    let access = LocalResource::new(move || {
        refresh.catalog.track();
        async move { ipc::call::<ListAccess>(&NoArgs {}).await }
    });
    let pending = move || {
        access
            .get()
            .and_then(|a| a.ok())
            .map_or(0, |a| a.incoming.iter().filter(|v| matches!(v.state, RequestState::Pending { .. })).count())
    };
    let viewer = move || access.get().and_then(|a| a.ok()).and_then(|a| a.viewer);
    search_shortcut();
    view! {
        <div class="shell">
            <nav class="sidebar">
                <div class="brand">"Meshdesk"</div>
                <A href="/" attr:title="Search and browse every data product">"Catalog"</A>
                <A href="/wizard" attr:title="Publish a new data product, step by step">"New product"</A>
                <A href="/domains" attr:title="The domains of this environment; yours are marked">"My domains"</A>
                <A href="/schemas" attr:title="Edit, check and compare the registry's schemas">"Schemas"</A>
                <A href="/requests" attr:title="Access requests: yours, and those waiting for your decision">
                    "Requests"
                    {move || (pending() > 0).then(|| view! {
                        <span class="count-pill" id="pending-count" title="Requests waiting for your decision">{pending()}</span>
                    })}
                </A>
                <A href="/policies" attr:title="The governance policies every product is checked against">"Policies"</A>
                <A href="/trust" attr:title="Who may sign governance events, and the audit of refusals">"Trust"</A>
                <A href="/settings" attr:title="Theme, your key, secrets and the environment">"Settings"</A>
                <div class="shortcut" title="Press / or Ctrl+K anywhere to search the catalog">"/ or Ctrl+K: search"</div>
            </nav>
            <div class="main">
                <header class="topbar">
                    <EnvironmentIndicator />
                    <Notices />
                    {move || viewer().map(|v| {
                        let name = v.split_once(':').map(|(_, n)| n.to_owned()).unwrap_or_else(|| v.clone());
                        let initial = name.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default();
                        view! {
                            <span class="whoami" id="whoami" title=format!("You act as {v} in this environment")>
                                <span class="avatar" aria-hidden="true">{initial}</span>{name}
                            </span>
                        }
                    })}
                </header>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}

/// Changes to the products I read that I have not acknowledged: a pill to the newest one's page.
#[component]
fn Notices() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let notices = LocalResource::new(move || {
        refresh.catalog.track();
        async move { ipc::call::<GetNotices>(&NoArgs {}).await }
    });
    move || {
        // Without an answer (not connected yet) there is nothing to say; errors show elsewhere.
        let list = notices.get().and_then(|r| r.ok()).unwrap_or_default();
        let first = list.first()?.clone();
        let n = list.len();
        let act = list.iter().any(|c| c.change.needs_action());
        let titles: Vec<String> =
            list.iter().map(|c| format!("{}: {}", c.product_title, c.change.describe())).collect();
        Some(view! {
            <A href=format!("/products/{}?tab=changes", first.product) attr:id="notices-pill"
                attr:class=if act { "notices-pill action" } else { "notices-pill" } attr:title=titles.join("\n")>
                {format!("{n} change{} to products you read", if n == 1 { "" } else { "s" })}
            </A>
        })
    }
}

/// `/` (outside a text field) or Ctrl+K anywhere: to the catalog's search box.
fn search_shortcut() {
    use wasm_bindgen::JsCast;
    let navigate = use_navigate();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()).is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable=true], .cm-editor").ok().flatten().is_some()
        });
        let ctrl_k = ev.ctrl_key() && ev.key().eq_ignore_ascii_case("k");
        if !(ctrl_k || (ev.key() == "/" && !typing && !ev.ctrl_key() && !ev.alt_key())) {
            return;
        }
        ev.prevent_default();
        navigate("/", Default::default());
        // The catalog may be rendering: focus its box once it is there.
        request_animation_frame(move || {
            if let Some(el) = document().get_element_by_id("catalog-search")
                && let Ok(input) = el.dyn_into::<leptos::web_sys::HtmlElement>()
            {
                let _ = input.focus();
            }
        });
    });
    on_cleanup(move || handle.remove());
}

fn dot(p: &Probe) -> &'static str {
    match p.state {
        ProbeState::Up => "dot up",
        ProbeState::Down => "dot down",
        ProbeState::Starting => "dot starting",
    }
}

#[component]
fn EnvironmentIndicator() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let status = LocalResource::new(move || {
        refresh.status.track();
        async move { ipc::call::<GetEnvironmentStatus>(&NoArgs {}).await }
    });
    // Probe again every ten seconds, so a broker that went away shows up here.
    let handle = set_interval_with_handle(move || status.refetch(), std::time::Duration::from_secs(10)).ok();
    on_cleanup(move || {
        if let Some(h) = handle {
            h.clear();
        }
    });
    view! {
        <div class="env" id="environment">
            <Transition fallback=|| view! { <span class="muted">"Checking the environment…"</span> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => {
                            let kind = match s.kind {
                                EnvironmentKind::Sandbox => "sandbox",
                                EnvironmentKind::Cluster => "cluster",
                            };
                            let sync = match (&s.sync_error, &s.last_sync) {
                                (Some(e), _) => format!("sync failed: {e}"),
                                (None, Some(l)) => format!("{} governance events applied", l.next_offset),
                                (None, None) => "not synced yet".to_owned(),
                            };
                            view! {
                                <span class="env-name" title=format!("{kind} environment")>{s.name.clone()}</span>
                                <span class="probe" id="probe-broker" title=s.broker.detail.clone()
                                    data-health=s.cluster.as_ref().map(|h| if h.degraded() { "degraded" } else { "healthy" })>
                                    <span class=if s.cluster.as_ref().is_some_and(|h| h.degraded()) { "dot starting" } else { dot(&s.broker) }></span>
                                    "Broker "
                                    <span class="muted">{s.broker.detail.clone()}</span>
                                </span>
                                {s.cluster.clone().map(|h| view! { <crate::components::cluster::ClusterPill health=h /> })}
                                <span class="probe" id="probe-registry" title=s.registry.detail.clone()>
                                    <span class=dot(&s.registry)></span>
                                    "Registry "
                                    <span class="muted">{s.registry.detail.clone()}</span>
                                </span>
                                <span class="muted sync">{sync}</span>
                                {s.cache_notice.clone().map(|n| view! { <span class="pending cache-notice" id="cache-notice" title=n.clone()>"Cache rebuilt"<span class="muted">{format!(" ({n})")}</span></span> })}
                                {(s.pending_writes > 0)
                                    .then(|| {
                                        let why = s.pending_error.clone().unwrap_or_else(|| "sending…".into());
                                        view! {
                                            <span class="pending" id="pending-writes" title=why.clone()>
                                                {format!(
                                                    "{} change{} waiting to be sent",
                                                    s.pending_writes,
                                                    if s.pending_writes == 1 { "" } else { "s" },
                                                )}
                                                <span class="muted">{format!(" ({why})")}</span>
                                            </span>
                                        }
                                    })}
                                {(!s.parked_writes.is_empty()).then(|| view! { <ParkedWrites parked=s.parked_writes.clone() /> })}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <span class="error-inline" role="alert">{e.message}</span> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
