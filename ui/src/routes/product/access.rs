//! Requesting access to the product, with the exact ACL bindings shown first, and its access history.

use super::*;

/// Request access to this product (for someone who does not own it): ports, consumer, group
/// prefix, purpose and duration, with the exact ACL bindings an approval would create shown
/// before sending; and the product's access history.
#[component]
pub(super) fn Access(d: ProductDetail) -> impl IntoView {
    use meshdesk_contract::{AccessRequestForm, ListAccess, NoArgs, ProductAccess, RequestAccess};
    use meshdesk_domain::access::{AccessRequest, DEFAULT_DAYS, MAX_DAYS, grant_plan, kafka_acls_commands};
    use meshdesk_domain::{DomainId, Principal, TopicName};

    let product = d.product.clone();
    let pid = product.id.as_str().to_owned();
    let reload = RwSignal::new(0u32);
    let overview = LocalResource::new(|| async { ipc::call::<ListAccess>(&NoArgs {}).await });
    let history = {
        let pid = pid.clone();
        LocalResource::new(move || {
            reload.track();
            let id = pid.clone();
            async move { ipc::call::<ProductAccess>(&ProductRequest { id }).await }
        })
    };
    let all_ports: Vec<String> = product.output_ports.iter().map(|p| p.topic.as_str().to_owned()).collect();
    let ports = RwSignal::new(all_ports.clone());
    let consumer = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let prefix = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let days = RwSignal::new(DEFAULT_DAYS.to_string());
    let sent = RwSignal::new(None::<Result<String, IpcError>>);
    // A new consumer login (sandbox only): shown once, here.
    let login = RwSignal::new(None::<meshdesk_contract::ConsumerLogin>);
    let topics: Vec<TopicName> = product.output_ports.iter().map(|p| p.topic.clone()).collect();
    // The request as typed so far, checked by the same rules the backend and every desktop
    // apply: the plan, or what is wrong.
    let draft = {
        let product_id = product.id.clone();
        move || -> Result<AccessRequest, String> {
            let dom =
                DomainId::parse(domain.get().trim()).map_err(|_| "choose the domain you request for".to_owned())?;
            let req = AccessRequest {
                id: String::new(),
                product: product_id.clone(),
                ports: ports.get().iter().filter_map(|p| TopicName::parse(p).ok()).collect(),
                consumer: Principal::parse(consumer.get().trim())?,
                group_prefix: Some(prefix.get().trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| AccessRequest::default_group_prefix(&dom)),
                requester_domain: dom,
                purpose: purpose.get().trim().to_owned(),
                days: days.get().trim().parse().map_err(|_| "the duration is a number of days".to_owned())?,
            };
            req.validate(&topics, MAX_DAYS)?;
            Ok(req)
        }
    };
    let draft_for_send = draft.clone();
    let draft_for_button = draft.clone();
    let send = move |_| {
        let Ok(req) = draft_for_send() else { return };
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
                consumer.set(String::new());
                prefix.set(String::new());
                purpose.set(String::new());
                days.set(DEFAULT_DAYS.to_string());
            }
            sent.set(Some(
                r.map(|_| "Request sent. The owners see it on their Requests page once the log is read.".to_owned()),
            ));
            reload.update(|n| *n += 1);
        });
    };
    view! {
        {(!d.viewer_is_owner).then(|| view! {
            <div class="card request-access" id="request-access">
                <h3>"Request access"</h3>
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
                <label class="wide">"Purpose" <textarea id="request-purpose" rows="2" prop:value=move || purpose.get() on:input=move |ev| purpose.set(event_target_value(&ev))></textarea></label>
                {move || match draft() {
                    Err(why) => view! { <p class="muted" id="request-problem">{hint(&consumer.get(), why)}</p> }.into_any(),
                    Ok(req) => {
                        let plan = grant_plan(&req);
                        let cmds = kafka_acls_commands(&plan, "BOOTSTRAP", false).join("\n");
                        view! {
                            <p>"An approval would create exactly these ACL bindings:"</p>
                            <div id="request-plan">{crate::routes::requests::plan_view(&plan)}</div>
                            <details><summary>"As kafka-acls.sh commands"</summary><pre class="mono">{cmds}</pre></details>
                        }.into_any()
                    }
                }}
                <button id="send-request" prop:disabled=move || draft_for_button().is_err() on:click=send>"Send request"</button>
                {move || sent.get().map(|r| match r {
                    Ok(m) => view! { <p class="ok" id="request-sent">{m}</p> }.into_any(),
                    Err(e) => view! { <crate::components::errors::ErrorMessage error=e id="request-sent" /> }.into_any(),
                })}
                {move || login.get().map(|l| view! {
                    <div class="notice consumer-login" id="consumer-login">
                        <p>{format!("The sandbox made a login for {}. Give it to the application that will consume; it is shown only now.", l.principal)}</p>
                        <dl class="facts">
                            <dt>"User (SASL SCRAM-SHA-512 or SCRAM-SHA-256)"</dt><dd class="mono" id="consumer-login-user">{l.user.clone()}</dd>
                            <dt>"Password"</dt><dd class="mono" id="consumer-login-password">{l.password.clone()}</dd>
                            <dt>"Kept in the keyring as"</dt><dd class="mono">{l.keyring_entry.clone()}</dd>
                        </dl>
                    </div>
                })}
            </div>
        })}
        <h3>"Access history"</h3>
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
