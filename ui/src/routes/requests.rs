use leptos::prelude::*;
use leptos_router::components::A;
use meshdesk_contract::{
    AccessRequest, AccessRequestForm, AccessView, AclBinding, DecideAccess, DecideRequest, Decided, Decision,
    ExportAudit, GetClusterAccess, IpcError, ListAccess, NoArgs, RequestAccess, RequestRef,
};
use meshdesk_domain::access::{PatternKind, ResourceKind, kafka_acls_commands};

use crate::Refresh;
use crate::components::confirm::ConfirmButton;
use crate::components::errors::{ErrorList, ErrorMessage};
use crate::components::time::When;
use crate::ipc;

/// The owners' queue: requests for my domains' products (approve, deny, revoke) and my own
/// requests with their state (withdraw); the audit trail as CSV.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let reload = RwSignal::new(0u32);
    // Questions stay open while the lists below refresh.
    provide_context(crate::components::confirm::OpenConfirm::default());
    let overview = LocalResource::new(move || {
        refresh.catalog.track();
        reload.track();
        async { ipc::call::<ListAccess>(&NoArgs {}).await }
    });
    let exported = RwSignal::new(None::<Result<String, IpcError>>);
    // The last decision's outcome, kept here so that it survives the list being re-read.
    let last = RwSignal::new(None::<(String, Result<String, IpcError>)>);
    let export = move |_| {
        leptos::task::spawn_local(async move {
            let r = ipc::call::<ExportAudit>(&NoArgs {}).await;
            exported.set(Some(r.map(|e| match e.path {
                Some(p) => format!("{} events written to {p}", e.rows),
                None => "Export cancelled.".to_owned(),
            })));
        });
    };
    view! {
        <section class="page">
            <div class="page-head">
                <h1>"Requests"</h1>
                <button id="export-audit" on:click=export>"Export the audit trail (CSV)"</button>
            </div>
            {move || exported.get().map(|r| match r {
                Ok(m) => view! { <p class="ok" id="export-outcome">{m}</p> }.into_any(),
                Err(e) => view! { <ErrorMessage error=e id="export-outcome" /> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="muted">"Loading requests…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                    {move || Suspend::new(async move {
                        let o = overview.await?;
                        Ok::<_, IpcError>(view! {
                            <p class="muted">
                                {match &o.viewer {
                                    Some(v) if o.my_domains.is_empty() => format!("You are {v}; you own no domain."),
                                    Some(v) => format!("You are {v}, owner of {}.", o.my_domains.join(", ")),
                                    None => "Not connected yet.".to_owned(),
                                }}
                            </p>
                            <h2>"For my products"</h2>
                            {if o.incoming.is_empty() {
                                view! { <p class="empty" id="incoming-empty">"No one has asked for your domains' products."</p> }.into_any()
                            } else {
                                view! { <ul class="cards" id="incoming">{o.incoming.into_iter().map(|v| view! { <RequestCard v incoming=true reload last /> }).collect_view()}</ul> }.into_any()
                            }}
                            <h2>"My requests"</h2>
                            {if o.outgoing.is_empty() {
                                view! { <p class="empty" id="outgoing-empty">"You have not asked for access yet: open a product in the catalog and request it there."</p> }.into_any()
                            } else {
                                view! { <ul class="cards" id="outgoing">{o.outgoing.into_iter().map(|v| view! { <RequestCard v incoming=false reload last /> }).collect_view()}</ul> }.into_any()
                            }}
                        })
                    })}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The bindings of a plan, one line each.
pub fn plan_view(plan: &[AclBinding]) -> impl IntoView + use<> {
    let lines: Vec<String> = plan
        .iter()
        .map(|b| {
            let kind = match b.resource {
                ResourceKind::Topic => "topic",
                ResourceKind::Group => "consumer groups",
            };
            let pattern = match b.pattern {
                PatternKind::Literal => "",
                PatternKind::Prefixed => " (prefix)",
            };
            format!("ALLOW {} {:?} on {kind} {}{pattern}", b.principal, b.operation, b.name)
        })
        .collect();
    view! { <ul class="plan mono">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }
}

fn days_left(until_ms: i64) -> String {
    let now = js_sys::Date::now() as i64;
    let days = (until_ms - now) as f64 / 86_400_000.0;
    if days <= 0.0 { "expired".into() } else { format!("{:.0} days left", days.ceil()) }
}

/// What the cluster itself says about an approved request's consumer: "can read" or "cannot
/// read yet" and the bindings DescribeAcls returns for it.
#[component]
fn ClusterCheck(id: String, reload: RwSignal<u32>) -> impl IntoView {
    let answer = LocalResource::new(move || {
        reload.track();
        let request_id = id.clone();
        async move { ipc::call::<GetClusterAccess>(&RequestRef { request_id }).await }
    });
    view! {
        <dt>"On the cluster"</dt>
        <Transition fallback=|| view! { <dd class="muted">"Asking the cluster…"</dd> }>
            {move || Suspend::new(async move {
                match answer.await {
                    Ok(a) => view! {
                        <dd class="cluster-access" data-can-read=a.can_read.to_string()>
                            <span class=if a.can_read { "badge can-read" } else { "badge cannot-read" }>{if a.can_read { "can read" } else { "cannot read yet" }}</span>
                            <details>
                                <summary>{format!("{} binding(s) for this consumer", a.bindings.len())}</summary>
                                <p class="muted">{a.summary.clone()}</p>
                                <ul class="plan mono">{a.bindings.into_iter().map(|b| view! { <li>{b}</li> }).collect_view()}</ul>
                            </details>
                        </dd>
                    }.into_any(),
                    Err(e) => view! { <dd class="muted cluster-access">{format!("The cluster could not be asked: {}", e.message)}</dd> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The last decision's outcome, by request id; it survives the lists being re-read.
type Last = RwSignal<Option<(String, Result<String, IpcError>)>>;

/// One request as a card: its facts, the exact ACLs, what the viewer may do and the outcome.
#[component]
fn RequestCard(v: AccessView, incoming: bool, reload: RwSignal<u32>, last: Last) -> impl IntoView {
    let mine = v.request.id.clone();
    let label = if v.expired { "expired" } else { v.state.name() };
    let (facts, acting) = (v.clone(), v.clone());
    view! {
        <li class="card request" data-request=v.request.id.clone() data-state=label>
            <div class="card-head">
                <h3>
                    <A href=format!("/products/{}", v.request.product)>{v.product_title.clone()}</A>
                </h3>
                <span class=format!("badge state-{label}")>{label}</span>
                <span class=format!("badge class-{}", v.classification)>{v.classification.to_string()}</span>
                {v.has_pii.then(|| view! { <span class="badge pii" title="The product holds personal data">"PII"</span> })}
            </div>
            <RequestFacts v=facts reload />
            <details class="plan-details">
                <summary>"Exact ACL bindings"</summary>
                {plan_view(&v.plan)}
                <p class="muted">"As kafka-acls.sh commands for platform teams:"</p>
                <pre class="mono acl-commands">{kafka_acls_commands(&v.plan, "BOOTSTRAP", false).join("\n")}</pre>
            </details>
            {request_actions(&acting, incoming, reload, last)}
            {move || last.get().filter(|(id, _)| *id == mine).map(|(_, o)| match o {
                Ok(m) => view! { <p class="ok decision-outcome">{m}</p> }.into_any(),
                Err(e) => view! { <div class="decision-outcome"><ErrorMessage error=e /></div> }.into_any(),
            })}
        </li>
    }
}

/// Who asked for what, when, for how long, and what the ACLs and the cluster say.
#[component]
fn RequestFacts(v: AccessView, reload: RwSignal<u32>) -> impl IntoView {
    let until = match &v.state {
        meshdesk_contract::RequestState::Approved { until_ms, .. } => Some(days_left(*until_ms)),
        _ => None,
    };
    view! {
        <dl class="facts">
            <dt>"Requested by"</dt><dd>{format!("{} for the {} domain", v.requested_by, v.request.requester_domain)}</dd>
            <dt>"Requested"</dt><dd class="requested-at"><When ms=v.requested_at_ms /></dd>
            <dt>"Consumer"</dt><dd class="mono">{v.request.consumer.to_string()}</dd>
            <dt>"Ports"</dt><dd class="mono">{v.request.ports.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Purpose"</dt><dd class="purpose">{v.request.purpose.clone()}</dd>
            <dt>"Duration"</dt><dd>{format!("{} days requested", v.request.days)}{until.map(|u| format!(" · {u}"))}</dd>
            {v.grant.clone().map(|g| view! {
                <dt>"ACLs"</dt>
                <dd class="grant" data-status=g.status.as_str()>{g.status.words()}{g.detail.map(|d| format!(": {d}"))}</dd>
            })}
            {(v.state.name() == "approved" && !v.expired).then(|| view! { <ClusterCheck id=v.request.id.clone() reload /> })}
        </dl>
    }
}

/// What the viewer may do with a request: approve or deny, revoke, withdraw, or ask for renewal.
fn request_actions(v: &AccessView, incoming: bool, reload: RwSignal<u32>, last: Last) -> AnyView {
    let id = v.request.id.clone();
    let consumer = v.request.consumer.as_str().to_owned();
    match (incoming, v.state.name(), v.expired) {
        (true, "pending", _) => view! { <DecidePending id consumer reload last /> }.into_any(),
        (true, "approved", false) => view! { <RevokeApproved id consumer reload last /> }.into_any(),
        (false, "pending", _) => view! {
            <button class="withdraw" on:click=move |_| send_decision(id.clone(), Decision::Withdraw, reload, last)>"Withdraw"</button>
        }.into_any(),
        (false, "approved", _) => renew_button(&v.request, reload, last).into_any(),
        _ => ().into_any(),
    }
}

/// An owner's decision on a pending request: approve (for fewer days if wished) or deny with a reason.
#[component]
fn DecidePending(id: String, consumer: String, reload: RwSignal<u32>, last: Last) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let consumer_deny = consumer.clone();
    let (approve_id, deny_id) = (id.clone(), id.clone());
    view! {
        <div class="decide">
            <label>"Days (optional, shorter)" <input class="approve-days" type="number" min="1" prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) /></label>
            <ConfirmButton label="Approve" class="approve" key=format!("approve-{id}")
                question=Signal::derive(move || match days.get().trim() {
                    "" => format!("Approve: {consumer} gets the ACLs listed above?"),
                    d => format!("Approve for {d} days: {consumer} gets the ACLs listed above?"),
                })
                on_confirm=Callback::new(move |_| send_decision(approve_id.clone(), Decision::Approve { days: days.get_untracked().trim().parse().ok() }, reload, last)) />
            <input class="deny-reason" placeholder="Reason (required to deny)" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            <ConfirmButton label="Deny" class="deny danger" key=format!("deny-{id}")
                question=Signal::derive(move || format!("Deny {consumer_deny}'s request? The requester sees your reason."))
                disabled=Signal::derive(move || reason.get().trim().is_empty())
                on_confirm=Callback::new(move |_| send_decision(deny_id.clone(), Decision::Deny { reason: reason.get_untracked() }, reload, last)) />
        </div>
    }
}

/// An owner revoking an approved request's access, with a reason.
#[component]
fn RevokeApproved(id: String, consumer: String, reload: RwSignal<u32>, last: Last) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let revoke_id = id.clone();
    view! {
        <div class="decide">
            <input class="revoke-reason" placeholder="Reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
            <ConfirmButton label="Revoke" class="revoke danger" key=format!("revoke-{id}")
                question=Signal::derive(move || format!("Revoke {consumer}'s access now? Its ACLs are removed."))
                on_confirm=Callback::new(move |_| send_decision(revoke_id.clone(), Decision::Revoke { reason: reason.get_untracked() }, reload, last)) />
        </div>
    }
}

/// Asking again for an approved request: a renewal is a new request with the same scope, which
/// the owners decide again.
fn renew_button(r: &AccessRequest, reload: RwSignal<u32>, last: Last) -> impl IntoView + use<> {
    let form = AccessRequestForm {
        product: r.product.to_string(),
        ports: r.ports.iter().map(|p| p.to_string()).collect(),
        consumer: r.consumer.to_string(),
        requester_domain: r.requester_domain.to_string(),
        group_prefix: Some(r.group_prefix.clone()),
        purpose: if r.purpose.starts_with("Renewal: ") { r.purpose.clone() } else { format!("Renewal: {}", r.purpose) },
        days: Some(r.days),
    };
    let rid = r.id.clone();
    view! {
        <button class="renew" on:click=move |_| {
            let form = form.clone();
            let rid = rid.clone();
            leptos::task::spawn_local(async move {
                let out = ipc::call::<RequestAccess>(&form).await;
                last.set(Some((rid, out.map(|_| "Renewal requested: the owners decide again.".to_owned()))));
                reload.update(|n| *n += 1);
            });
        }>"Ask for renewal"</button>
    }
}

/// Sends a decision on a request; its outcome goes to `last` and the lists are read again.
fn send_decision(request_id: String, decision: Decision, reload: RwSignal<u32>, last: Last) {
    let req = DecideRequest { request_id, decision };
    leptos::task::spawn_local(async move {
        let r = ipc::call::<DecideAccess>(&req).await;
        last.set(Some((req.request_id.clone(), r.map(decided_words))));
        reload.update(|n| *n += 1);
    });
}

/// A decision's effect in words: the request's new state, the ACLs' fate and the bindings touched.
fn decided_words(d: Decided) -> String {
    let grant = d.grant.map(|g| match g.detail {
        Some(why) => format!(" ACLs {}: {why}", g.status.words()),
        None => format!(" ACLs {}.", g.status.words()),
    });
    let touched = match (d.acls.is_empty(), d.state) {
        (true, _) => String::new(),
        (false, meshdesk_contract::RequestStatus::Revoked) => format!(" Deleted: {}.", d.acls.join("; ")),
        (false, _) => format!(" Created: {}.", d.acls.join("; ")),
    };
    format!("Now {}.{}{touched}", d.state, grant.unwrap_or_default())
}
