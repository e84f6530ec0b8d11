//! Step 3: the output ports: a topic per event, `<domain>.<event-name>`, with its settings.

use super::*;
use crate::components::confirm::ConfirmButton;

/// Step 3: adding a port for an event, each port's settings, and the findings on the ports.
#[component]
pub(super) fn PortsStep(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>) -> impl IntoView {
    let event = RwSignal::new(String::new());
    // Collisions need the cluster's topics: the backend checks the ports as they change.
    let ports = Memo::new(move |_| {
        draft.with(|d| d.product.output_ports.iter().map(|p| p.topic.to_string()).collect::<Vec<_>>())
    });
    let backend = LocalResource::new(move || {
        ports.track();
        let d = draft.get_untracked();
        async move { ipc::call::<CheckDraft>(&d).await }
    });
    let add = move |_| add_port(draft, event);
    view! {
        <h2>"3. Output ports"</h2>
        <p class="muted">"Each domain event becomes a topic named <domain>.<event-name>."</p>
        <div class="form-grid">
            <label>"Event name"<input id="port-event" placeholder="stock-reserved" prop:value=move || event.get() on:input=move |ev| event.set(event_target_value(&ev)) /></label>
            <p class="mono" id="port-topic-preview">{move || topic_preview(draft, &event.get())}</p>
            <button id="port-add" prop:disabled=move || event.with(|e| kebab(e).is_empty() || !unusable_chars(e).is_empty()) on:click=add>"Add port"</button>
        </div>
        {move || draft.with(|d| d.product.output_ports.clone()).into_iter().enumerate().map(|(i, p)| {
            view! { <PortEdit draft findings i p /> }
        }).collect_view()}
        {move || findings_view(findings_at(&findings.get(), "ports").into_iter().filter(|f| f.at == "ports").collect())}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // What only the cluster knows: the backend's naming findings the window's own
                // check (without the cluster's topics) does not have.
                let local = findings.get_untracked();
                let collisions: Vec<Finding> = backend
                    .await
                    .map(|c| c.findings.into_iter().filter(|f| f.policy == "naming" && !local.contains(f)).collect())
                    .unwrap_or_default();
                view! { <div id="port-collisions">{findings_view(collisions)}</div> }
            })}
        </Transition>
    }
}

/// Adds a port for the event typed in `event`, with the default settings, and clears it.
fn add_port(draft: RwSignal<WizardDraft>, event: RwSignal<String>) {
    let name = kebab(&event.get_untracked());
    draft.update(|d| {
        if let Ok(topic) = TopicName::for_event(&d.product.domain, &name) {
            d.product.output_ports.push(OutputPort {
                value_schema: None,
                key_schema: None,
                deprecation: None,
                description: String::new(),
                partitions: 3,
                replication_factor: 1,
                retention_ms: 7 * DAY_MS,
                cleanup_policy: CleanupPolicy::Delete,
                topic,
            });
        }
    });
    event.set(String::new());
}

/// The topic the event `typed` would get, ✓ when usable, else why not (nothing while empty).
fn topic_preview(draft: RwSignal<WizardDraft>, typed: &str) -> String {
    let bad = unusable_chars(typed);
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
        return format!(
            "A topic name takes only the letters a–z, digits and hyphens: {} cannot be used.",
            list.join(", ")
        );
    }
    let name = kebab(typed);
    if name.is_empty() {
        return String::new();
    }
    let topic = format!("{}.{name}", draft.with(|d| d.product.domain.to_string()));
    match policy::check_topic_name(&topic) {
        Ok(t) => format!("topic: {t} ✓"),
        Err(e) => e.0,
    }
}

/// The port `p` (the draft's `i`th): its settings to edit, removing it, and its findings.
#[component]
fn PortEdit(draft: RwSignal<WizardDraft>, findings: Memo<Vec<Finding>>, i: usize, p: OutputPort) -> impl IntoView {
    let at = format!("ports[{i}].");
    let num = move |f: fn(&mut OutputPort, i64)| {
        move |ev: leptos::ev::Event| {
            if let Ok(v) = event_target_value(&ev).trim().parse::<i64>() {
                draft.update(|d| {
                    if let Some(p) = d.product.output_ports.get_mut(i) {
                        f(p, v)
                    }
                })
            }
        }
    };
    view! {
        <div class="card port-edit" data-topic=p.topic.to_string()>
            <h3 class="mono">{p.topic.to_string()}</h3>
            <div class="form-grid">
                <label>"Partitions"<input class="port-partitions" type="number" min="1" prop:value=p.partitions.to_string() on:change=num(|p, v| p.partitions = v as i32) /></label>
                <label>"Replication factor"<input class="port-replication" type="number" min="1" prop:value=p.replication_factor.to_string() on:change=num(|p, v| p.replication_factor = v as i32) /></label>
                <label>"Retention (days, -1 forever)"<input class="port-retention" type="number" prop:value=(if p.retention_ms < 0 { -1 } else { p.retention_ms / DAY_MS }).to_string() on:change=num(|p, v| p.retention_ms = if v < 0 { -1 } else { v * DAY_MS }) /></label>
                <label>"Cleanup policy"
                    <select class="port-cleanup" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let c = match v.as_str() { "compact" => CleanupPolicy::Compact, "compact,delete" => CleanupPolicy::CompactDelete, _ => CleanupPolicy::Delete };
                        draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) { p.cleanup_policy = c })
                    }>
                        {["delete", "compact", "compact,delete"].into_iter().map(|c| view! { <option value=c selected=p.cleanup_policy.as_str() == c>{c}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Description"<input class="port-description" prop:value=p.description.clone() on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| if let Some(p) = d.product.output_ports.get_mut(i) { p.description = v }) } /></label>
                <ConfirmButton label="Remove" class="port-remove secondary"
                    question=Signal::derive(move || "Remove this port and its schema from the draft?".to_owned())
                    on_confirm=Callback::new(move |_| draft.update(|d| { if i < d.product.output_ports.len() { d.product.output_ports.remove(i); } })) />
            </div>
            {findings_view(findings_at(&findings.get_untracked(), &at).into_iter().filter(|f| !f.at.contains("fields") && !f.at.contains("schema")).collect())}
        </div>
    }
}
