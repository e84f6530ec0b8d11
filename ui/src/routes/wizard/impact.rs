//! The impact panel of an edit (a subject the registry has): who reads the subject (grants in
//! force, consumer groups with their lag, derived products), what the new version does to each
//! (the domain's engine, here in the window), and for an incompatible version the breaking path:
//! a new `-v2` port beside the old one, which is deprecated with a sunset date.

use meshdesk_contract::{GetSubject, GetSubjectReaders, ReadersRequest, SubjectRequest};
use meshdesk_domain::change::{ImpactSummary, breaking_path, impact, next_topic};
use meshdesk_domain::schema::ParsedSchema;

use super::*;
use crate::components::impact::Readers;

#[component]
pub(super) fn Impact(
    draft: RwSignal<WizardDraft>,
    i: usize,
    subject: String,
    text: RwSignal<String>,
    level: Signal<CompatibilityLevel>,
) -> impl IntoView {
    let versions = LocalResource::new({
        let subject = subject.clone();
        move || {
            let subject = subject.clone();
            async move { ipc::call::<GetSubject>(&SubjectRequest { subject }).await }
        }
    });
    let readers = LocalResource::new({
        let subject = subject.clone();
        move || {
            let subject = subject.clone();
            async move { ipc::call::<GetSubjectReaders>(&ReadersRequest { subject }).await }
        }
    });
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                // A subject the registry does not know yet: nothing is read, nothing breaks.
                let Ok(d) = versions.await else { return ().into_any() };
                if d.versions.is_empty() {
                    return ().into_any();
                }
                let prev: Vec<(u32, ParsedSchema)> = d
                    .versions
                    .iter()
                    .filter_map(|v| ParsedSchema::parse(SchemaFormat::Avro, &v.schema).ok().map(|p| (v.version, p)))
                    .collect();
                let registered = d.versions.last().map(|v| v.schema.clone()).unwrap_or_default();
                let summary = Memo::new({
                    let registered = registered.clone();
                    move |_| {
                    let t = text.get();
                    let new = ParsedSchema::parse(SchemaFormat::Avro, &t).ok()?;
                    let refs: Vec<(u32, &ParsedSchema)> = prev.iter().map(|(v, p)| (*v, p)).collect();
                    // Nothing to say while the text is the registered version.
                    (t.trim() != registered.trim()).then(|| (level.get(), refs.len(), impact(level.get(), &refs, &new)))
                    }
                });
                let who = readers.await;
                view! {
                    {move || summary.get().map(|(level, count, s)| {
                        let who = who.clone();
                        view! {
                            <div class="impact card" id=format!("impact-{i}")>
                                <h4>"Who this version reaches"</h4>
                                <Verdict s=s.clone() level count />
                                <Readers who s=s.clone() />
                                {(!s.compatible).then(|| view! { <BreakingPath draft i text registered=registered.clone() /> })}
                            </div>
                        }
                    })}
                }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn Verdict(s: ImpactSummary, level: CompatibilityLevel, count: usize) -> impl IntoView {
    let versions = format!("{count} registered version{}", if count == 1 { "" } else { "s" });
    if s.compatible {
        view! {
            <p class="ok schema-compat">{format!("Compatible ({level}) with the {versions}: every reader keeps reading.")}</p>
            {(!s.visible.is_empty()).then(|| view! {
                <p>"What they will see:"</p>
                <ul class="impact-visible">{s.visible.iter().map(|v| view! { <li>{v.clone()}</li> }).collect_view()}</ul>
            })}
        }
        .into_any()
    } else {
        view! {
            <div class="error schema-compat">
                {format!("Incompatible ({level}) with the {versions}: registering it breaks readers.")}
                <ul>{s.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
            </div>
        }
        .into_any()
    }
}

/// The date `days` from today, as YYYY-MM-DD.
fn days_from_today(days: i64) -> String {
    let ms = js_sys::Date::now() as i64 + days * 86_400_000;
    meshdesk_domain::time::iso_utc(ms).chars().take(10).collect()
}

#[component]
fn BreakingPath(draft: RwSignal<WizardDraft>, i: usize, text: RwSignal<String>, registered: String) -> impl IntoView {
    let sunset = RwSignal::new(days_from_today(90));
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let next = move || {
        draft.with(|d| d.product.output_ports.get(i).and_then(|p| next_topic(&p.topic).ok()).map(|t| t.to_string()))
    };
    let take = move |_| {
        let why = reason.get_untracked();
        let why = if why.trim().is_empty() { "an incompatible schema change".to_owned() } else { why };
        let new_schema = text.get_untracked();
        let result = draft.with_untracked(|d| {
            breaking_path(&d.product, i, &new_schema, &registered, sunset.get_untracked().trim(), &why)
        });
        match result {
            Ok(p) => {
                error.set(None);
                text.set(registered.clone());
                draft.update(|d| d.product = p);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    view! {
        <div class="breaking-path" id="breaking-path">
            <p><strong>"The safe way: "</strong>{move || format!(
                "publish the new version on a new port ({}) and keep this one, deprecated, until readers have moved.",
                next().unwrap_or_else(|| "a -v2 topic".into())
            )}</p>
            <div class="form-row">
                <label>"Keep the old port until " <input id="breaking-sunset" type="date" prop:value=move || sunset.get() on:input=move |ev| sunset.set(event_target_value(&ev)) /></label>
                <label class="wide">"Why (readers are told) " <input id="breaking-reason" type="text" placeholder="quantity becomes a decimal" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) /></label>
            </div>
            <button id="take-breaking-path" on:click=take>"Use a new port instead"</button>
            {move || error.get().map(|e| view! { <p class="error-inline" role="alert">{e}</p> })}
        </div>
    }
}
