//! The log's records by outcome: a bar of what the fold applied, refused, skipped, found
//! duplicated or could not read, with the counts beside it.

use leptos::prelude::*;
use meshdesk_contract::AuditSummary;
use meshdesk_domain::events::Outcome;

/// The outcome's name for people, and the colour class of its part of the bar.
fn label(o: Outcome) -> (&'static str, &'static str) {
    match o {
        Outcome::Applied => ("Applied", "applied"),
        Outcome::Refused => ("Refused", "refused"),
        Outcome::Duplicate => ("Duplicates", "duplicate"),
        Outcome::Skipped => ("Not understood here", "skipped"),
        Outcome::Invalid => ("Not events", "invalid"),
    }
}

/// Thousands separated for reading ("12,406").
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A stacked bar of the outcomes (each part as wide as its share) and a legend with the counts.
#[component]
pub(super) fn AuditBar(summary: AuditSummary) -> impl IntoView {
    let total: u64 = summary.counts.iter().map(|(_, n)| n).sum();
    let parts = summary.counts.clone();
    view! {
        <div class="audit-summary" id="audit-summary" data-total=total>
            <div class="stack-bar" role="img" aria-label=format!("{} records read from the log", grouped(total))>
                {parts.into_iter().filter(|(_, n)| *n > 0).map(|(o, n)| {
                    let (name, class) = label(o);
                    let share = n as f64 * 100.0 / total.max(1) as f64;
                    view! { <span class=format!("part {class}") style=format!("width: {share:.2}%") title=format!("{name}: {}", grouped(n))></span> }
                }).collect_view()}
            </div>
            <ul class="legend">
                {summary.counts.into_iter().map(|(o, n)| {
                    let (name, class) = label(o);
                    view! { <li data-outcome=o.as_str()><span class=format!("swatch {class}")></span>{name}" "<strong>{grouped(n)}</strong></li> }
                }).collect_view()}
            </ul>
        </div>
    }
}
