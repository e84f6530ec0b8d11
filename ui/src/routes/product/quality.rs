//! Live quality: the health badge, each port's rate chart, newest record's age and consumer lag.

use super::*;

/// The product's live health, refreshed every few seconds while the page is open.
pub(super) fn live_health(id: String) -> LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>> {
    let tick = RwSignal::new(0u32);
    set_interval(move || tick.update(|t| *t += 1), HEALTH_EVERY);
    LocalResource::new(move || {
        tick.track();
        let id = id.clone();
        async move { ipc::call::<GetProductHealth>(&ProductRequest { id }).await }
    })
}

/// The health badge (healthy / at risk / breaching) with its reasons as a tooltip.
#[component]
pub(super) fn HealthBadge(health: LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <span class="badge health">"measuring…"</span> }>
            {move || Suspend::new(async move {
                match health.await {
                    Ok(h) => {
                        let (class, label) = level(h.level);
                        let why = h.ports.iter().flat_map(|p| p.health.reasons.clone()).collect::<Vec<_>>().join("; ");
                        view! { <span class=class id="health-badge" data-level=label title=why>{label}</span> }.into_any()
                    }
                    Err(e) => view! { <span class="badge health unknown" title=e.message.clone()>"health unknown"</span> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Each port's rate chart, newest record's age, consumer lag and the reasons for the badge.
#[component]
pub(super) fn LiveQuality(health: LocalResource<Result<meshdesk_contract::ProductHealth, IpcError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Measuring…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorList errors /> }>
                {move || Suspend::new(async move {
                    let h = health.await?;
                    Ok::<_, IpcError>(view! {
                        <div class="quality" id="live-quality">{h.ports.into_iter().map(port_quality).collect_view()}</div>
                    })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

pub(super) fn level(l: HealthLevel) -> (&'static str, &'static str) {
    match l {
        HealthLevel::Healthy => ("badge health healthy", "healthy"),
        HealthLevel::NoData => ("badge health no-data", "no data yet"),
        HealthLevel::AtRisk => ("badge health at-risk", "at risk"),
        HealthLevel::Breaching => ("badge health breaching", "breaching"),
    }
}

pub(super) fn port_quality(p: PortHealth) -> impl IntoView {
    let m = p.metrics.clone();
    view! {
        <div class="port-quality" data-topic=p.topic.clone()>
            <div class="mono">{p.topic.clone()}</div>
            {match m {
                None => view! { <p class="error">{p.error.unwrap_or_default()}</p> }.into_any(),
                Some(m) => view! {
                    <div class="port-quality-row">
                        <Sparkline points=m.series.clone() />
                        <span>{m.records_per_sec.map(|r| format!("{r:.1} records/s over {} min", m.window_secs / 60)).unwrap_or_else(|| "rate: measuring…".into())}</span>
                        <span class="muted">"·"</span>
                        <span>{m.newest_record_age_ms.map(|a| format!("newest record {} old", human_ms(a))).unwrap_or_else(|| "no records yet".into())}</span>
                    </div>
                    {(!m.consumer_lag.is_empty()).then(|| view! {
                        <ul class="lag">{m.consumer_lag.iter().map(|g| view! { <li class="mono">{format!("{}: lag {}", g.group, g.lag)}</li> }).collect_view()}</ul>
                    })}
                }.into_any(),
            }}
            <ul class="reasons">{p.health.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            {(!p.rules.is_empty()).then(|| view! {
                <table class="contract rule-tallies">
                    <caption>{format!("The contract's record rules on the newest {} records", p.sampled)}</caption>
                    <thead><tr><th>"Rule"</th><th>"Condition (CEL)"</th><th>"Passed"</th><th>"Failed"</th><th>"Could not check"</th></tr></thead>
                    <tbody>
                        {p.rules.iter().map(|t| view! {
                            <tr class:failing={t.failed > 0}>
                                <td>{t.doc.clone()}</td>
                                <td class="mono">{t.expr.clone()}</td>
                                <td>{t.passed}</td>
                                <td class="failed-count">{t.failed}</td>
                                <td title=t.first_error.clone().unwrap_or_default()>{t.errors}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}

/// Records per second over the last minutes as a small line chart.
#[component]
pub(super) fn Sparkline(points: Vec<RatePoint>) -> impl IntoView {
    const W: f64 = 240.0;
    const H: f64 = 40.0;
    if points.len() < 2 {
        return view! { <span class="muted sparkline-wait" title="The rate chart appears after two measurements">"chart soon"</span> }.into_any();
    }
    let t0 = points[0].at_ms as f64;
    let span = (points[points.len() - 1].at_ms as f64 - t0).max(1.0);
    let max = points.iter().map(|p| p.per_sec).fold(0.0, f64::max).max(1.0);
    let line = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", (p.at_ms as f64 - t0) / span * W, H - p.per_sec / max * (H - 2.0) - 1.0))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="sparkline" width=W height=H viewBox=format!("0 0 {W} {H}") role="img">
            <title>{format!("records per second, peak {max:.1}")}</title>
            <polyline points=line fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
    .into_any()
}
