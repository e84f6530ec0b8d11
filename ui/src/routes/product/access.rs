//! Requesting access to the product, with the exact ACL bindings shown first, and its access history.

use super::*;
use meshdesk_contract::{
    AccessOverview, AccessRequestForm, AccessView, ConsumerLogin, ListAccess, NoArgs, ProductAccess, RequestAccess,
};
use meshdesk_domain::access::{AccessRequest, DEFAULT_DAYS, MAX_DAYS, grant_plan, kafka_acls_commands};
use meshdesk_domain::{DataProduct, DomainId, Principal, ProductId, TopicName};

/// Request access to this product (for someone who does not own it): ports, consumer, group
/// prefix, purpose and duration, with the exact ACL bindings an approval would create shown
/// before sending; and the product's access history.
#[component]
pub(super) fn Access(d: ProductDetail) -> impl IntoView {
    let product = d.product.clone();
    let pid = product.id.as_str().to_owned();
    let reload = RwSignal::new(0u32);
    let overview = LocalResource::new(|| async { ipc::call::<ListAccess>(&NoArgs {}).await });
    let history = LocalResource::new(move || {
        reload.track();
        let id = pid.clone();
        async move { ipc::call::<ProductAccess>(&ProductRequest { id }).await }
    });
    view! {
        {(!d.viewer_is_owner).then(|| view! { <RequestForm product overview reload /> })}
        <h3>"Access history"</h3>
        <AccessHistory history />
    }
}

/// The request form's fields as typed so far.
#[derive(Clone, Copy)]
struct Fields {
    ports: RwSignal<Vec<String>>,
    consumer: RwSignal<String>,
    domain: RwSignal<String>,
    prefix: RwSignal<String>,
    purpose: RwSignal<String>,
    days: RwSignal<String>,
}

impl Fields {
    /// A blank form asking for all of `ports`, for the default duration.
    fn new(ports: Vec<String>) -> Self {
        Self {
            ports: RwSignal::new(ports),
            consumer: RwSignal::new(String::new()),
            domain: RwSignal::new(String::new()),
            prefix: RwSignal::new(String::new()),
            purpose: RwSignal::new(String::new()),
            days: RwSignal::new(DEFAULT_DAYS.to_string()),
        }
    }

    /// The request as typed so far, checked by the same rules the backend and every desktop
    /// apply: the plan, or what is wrong.
    fn request(self, product_id: &ProductId, topics: &[TopicName]) -> Result<AccessRequest, String> {
        let dom =
            DomainId::parse(self.domain.get().trim()).map_err(|_| "choose the domain you request for".to_owned())?;
        let req = AccessRequest {
            id: String::new(),
            product: product_id.clone(),
            ports: self.ports.get().iter().filter_map(|p| TopicName::parse(p).ok()).collect(),
            consumer: Principal::parse(self.consumer.get().trim())?,
            group_prefix: Some(self.prefix.get().trim().to_owned())
                .filter(|p| !p.is_empty())
                .unwrap_or_else(|| AccessRequest::default_group_prefix(&dom)),
            requester_domain: dom,
            purpose: self.purpose.get().trim().to_owned(),
            days: self.days.get().trim().parse().map_err(|_| "the duration is a number of days".to_owned())?,
        };
        req.validate(topics, MAX_DAYS)?;
        Ok(req)
    }

    /// Starts afresh after a request is sent (the domain stays chosen).
    fn clear(self) {
        self.consumer.set(String::new());
        self.prefix.set(String::new());
        self.purpose.set(String::new());
        self.days.set(DEFAULT_DAYS.to_string());
    }
}

/// The request form: domain, consumer, prefix, days, ports and purpose, then the ACLs it would
/// create, the send button, how sending went and a new consumer login.
#[component]
fn RequestForm(
    product: DataProduct,
    overview: LocalResource<Result<AccessOverview, IpcError>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let all_ports: Vec<String> = product.output_ports.iter().map(|p| p.topic.as_str().to_owned()).collect();
    let fields = Fields::new(all_ports.clone());
    let Fields { ports, consumer, purpose, .. } = fields;
    let sent = RwSignal::new(None::<Result<String, IpcError>>);
    // A new consumer login (sandbox only): shown once, here.
    let login = RwSignal::new(None::<ConsumerLogin>);
    let topics: Vec<TopicName> = product.output_ports.iter().map(|p| p.topic.clone()).collect();
    let draft = {
        let product_id = product.id.clone();
        move || fields.request(&product_id, &topics)
    };
    let draft_for_send = draft.clone();
    let draft_for_button = draft.clone();
    let send = move |_| {
        let Ok(req) = draft_for_send() else { return };
        send_request(&req, fields, sent, login, reload);
    };
    view! {
        <div class="card request-access" id="request-access">
            <h3>"Request access"</h3>
            <RequestFields overview fields />
            <PortChoices all_ports ports />
            <label class="wide">"Purpose" <textarea id="request-purpose" rows="2" prop:value=move || purpose.get() on:input=move |ev| purpose.set(event_target_value(&ev))></textarea></label>
            {move || plan_or_hint(draft(), consumer)}
            <button id="send-request" prop:disabled=move || draft_for_button().is_err() on:click=send>"Send request"</button>
            {move || sent.get().map(|r| match r {
                Ok(m) => view! { <p class="ok" id="request-sent">{m}</p> }.into_any(),
                Err(e) => view! { <crate::components::errors::ErrorMessage error=e id="request-sent" /> }.into_any(),
            })}
            {move || login.get().map(|l| view! { <NewLogin l /> })}
        </div>
    }
}

/// Sends `req`; says how it went in `sent` (and a new login in `login`), clears the form once
/// sent and reads the history again.
fn send_request(
    req: &AccessRequest,
    fields: Fields,
    sent: RwSignal<Option<Result<String, IpcError>>>,
    login: RwSignal<Option<ConsumerLogin>>,
    reload: RwSignal<u32>,
) {
    let form = AccessRequestForm {
        product: req.product.as_str().to_owned(),
        ports: req.ports.iter().map(|p| p.as_str().to_owned()).collect(),
        consumer: req.consumer.as_str().to_owned(),
        requester_domain: req.requester_domain.as_str().to_owned(),
        group_prefix: Some(req.group_prefix.clone()),
        purpose: req.purpose.clone(),
        days: Some(req.days),
    };
    // The previous outcome and login go while this one is sent.
    sent.set(None);
    login.set(None);
    leptos::task::spawn_local(async move {
        let r = ipc::call::<RequestAccess>(&form).await;
        if let Ok(s) = &r {
            login.set(s.consumer_login.clone());
        }
        if r.is_ok() {
            // Sent: the form starts afresh (the domain stays chosen).
            fields.clear();
        }
        sent.set(Some(
            r.map(|_| "Request sent. The owners see it on their Requests page once the log is read.".to_owned()),
        ));
        reload.update(|n| *n += 1);
    });
}

/// The domain requested for (one of mine, the first until chosen), consumer, group prefix and
/// days; or why no request can be made.
#[component]
fn RequestFields(overview: LocalResource<Result<AccessOverview, IpcError>>, fields: Fields) -> impl IntoView {
    let Fields { consumer, domain, prefix, days, .. } = fields;
    view! {
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            {move || Suspend::new(async move {
                let mine = overview.await.map(|o| o.my_domains).unwrap_or_default();
                if domain.get_untracked().is_empty() && let Some(first) = mine.first() {
                    domain.set(first.clone());
                }
                view! {
                    <div class="form-grid">
                        <label>"For my domain"
                            <select id="request-domain" on:change=move |ev| domain.set(event_target_value(&ev))>
                                {mine.iter().map(|m| view! { <option value=m.clone() selected=domain.get_untracked() == *m>{m.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>"Consumer principal" <input id="request-consumer" placeholder="User:sales-app" prop:value=move || consumer.get() on:input=move |ev| consumer.set(event_target_value(&ev)) /></label>
                        <label>"Consumer-group prefix" <input id="request-prefix" placeholder=move || format!("{}.", domain.get()) prop:value=move || prefix.get() on:input=move |ev| prefix.set(event_target_value(&ev)) /></label>
                        <label>"Days" <input id="request-days" type="number" min="1" max=MAX_DAYS.to_string() prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) /></label>
                    </div>
                    {mine.is_empty().then(|| view! { <p class="error">"You own no domain: requests are made on behalf of a domain you own."</p> })}
                }
            })}
        </Transition>
    }
}

/// A checkbox for each of the product's ports, ticked while `ports` holds it.
#[component]
fn PortChoices(all_ports: Vec<String>, ports: RwSignal<Vec<String>>) -> impl IntoView {
    view! {
        <fieldset class="ports">
            <legend>"Ports"</legend>
            {all_ports.iter().map(|t| {
                let t = t.clone();
                let t2 = t.clone();
                let shown = t.clone();
                view! {
                    <label class="mono">
                        <input type="checkbox" class="request-port" prop:checked=move || ports.get().contains(&t)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ports.update(|v| { v.retain(|x| *x != t2); if on { v.push(t2.clone()) } });
                            } />
                        {shown}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The exact ACL bindings an approval of `draft` would create, or what to fill in first.
fn plan_or_hint(draft: Result<AccessRequest, String>, consumer: RwSignal<String>) -> AnyView {
    match draft {
        Err(why) => view! { <p class="muted" id="request-problem">{hint(&consumer.get(), why)}</p> }.into_any(),
        Ok(req) => {
            let plan = grant_plan(&req);
            let cmds = kafka_acls_commands(&plan, "BOOTSTRAP", false).join("\n");
            view! {
                <p>"An approval would create exactly these ACL bindings:"</p>
                <div id="request-plan">{crate::routes::requests::plan_view(&plan)}</div>
                <details><summary>"As kafka-acls.sh commands"</summary><pre class="mono">{cmds}</pre></details>
            }
            .into_any()
        }
    }
}

/// The login the sandbox made for a new consumer, shown once.
#[component]
fn NewLogin(l: ConsumerLogin) -> impl IntoView {
    view! {
        <div class="notice consumer-login" id="consumer-login">
            <p>{format!("The sandbox made a login for {}. Give it to the application that will consume; it is shown only now.", l.principal)}</p>
            <dl class="facts">
                <dt>"User (SASL SCRAM-SHA-512 or SCRAM-SHA-256)"</dt><dd class="mono" id="consumer-login-user">{l.user.clone()}</dd>
                <dt>"Password"</dt><dd class="mono" id="consumer-login-password">{l.password.clone()}</dd>
                <dt>"Kept in the keyring as"</dt><dd class="mono">{l.keyring_entry.clone()}</dd>
            </dl>
        </div>
    }
}

/// Who asked for access to the product, for whom, and where each request stands.
#[component]
fn AccessHistory(history: LocalResource<Result<Vec<AccessView>, IpcError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let h = history.await?;
                    Ok::<_, IpcError>(if h.is_empty() {
                        view! { <p class="muted" id="access-history-empty">"No requests yet."</p> }.into_any()
                    } else {
                        view! {
                            <table id="access-history">
                                <thead><tr><th>"Consumer"</th><th>"Domain"</th><th>"Asked by"</th><th>"State"</th><th>"ACLs"</th></tr></thead>
                                <tbody>{h.into_iter().map(|v| view! {
                                    <tr>
                                        <td class="mono">{v.request.consumer.to_string()}</td>
                                        <td>{v.request.requester_domain.to_string()}</td>
                                        <td>{v.requested_by.clone()}</td>
                                        <td>{if v.expired { "expired".to_owned() } else { v.state.name().to_owned() }}</td>
                                        <td>{v.grant.map(|g| g.status.words()).unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}</tbody>
                            </table>
                        }.into_any()
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// What the request form says while it cannot show the ACLs yet: what to fill in when the
/// consumer is not named yet (nothing typed is not a mistake), else the reason.
fn hint(consumer: &str, why: String) -> String {
    if consumer.trim().is_empty() {
        "Name the consumer principal (for example User:sales-app) to see the exact ACLs an approval would create."
            .to_owned()
    } else {
        why
    }
}
