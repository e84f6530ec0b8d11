//! The lineage picture: what feeds the product (input products, stream processors, connectors),
//! the product, and who reads it, each edge drawn by how it is known: declared, granted,
//! observed on the cluster, or confirmed (declared and observed); an unknown reader of a
//! restricted product in red.

use super::*;

const BOX_W: f64 = 270.0;
const BOX_H: f64 = 44.0;
const GAP: f64 = 16.0;
const COL: [f64; 3] = [10.0, 340.0, 670.0];
const WIDTH: f64 = 950.0;

/// What fits a box; the whole text is the box's tooltip.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_owned() } else { s.chars().take(max - 1).collect::<String>() + "…" }
}

/// One box beside the product: label, sub-label, link and how its edge is known (its class).
type Row = (String, String, Option<String>, String);

/// The readers' boxes: who reads, how it is known and, for a product, its link.
fn reader_rows(readers: &[meshdesk_domain::lineage::Reader]) -> Vec<Row> {
    readers
        .iter()
        .map(|r| {
            let sub = match (&r.product, &r.group, r.provenance()) {
                (Some(product), Some(_), p) => format!("{p} · {product}"),
                (None, Some(g), p) => format!("{p} · group {g}"),
                (_, None, p) => p.to_owned(),
            };
            (
                r.label.clone(),
                sub,
                r.product.as_ref().map(|p| format!("/products/{p}")),
                r.provenance().replace(' ', "-"),
            )
        })
        .collect()
}

/// The inputs' boxes: upstream products (links when known), then the declared sources.
fn upstream_rows(upstream: &[LineageNode], sources: &[meshdesk_domain::Source]) -> Vec<Row> {
    upstream
        .iter()
        .map(|n| (n.title.clone(), n.id.clone(), n.known.then(|| format!("/products/{}", n.id)), "declared".to_owned()))
        .chain(sources.iter().map(|s| {
            let sub = match (&s.system, s.reads.is_empty()) {
                (Some(system), _) => format!("from {system}"),
                (None, false) => format!("reads {}", s.reads.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")),
                (None, true) => String::new(),
            };
            (format!("{} {}", s.kind.label(), s.name), sub, None, "declared source".to_owned())
        }))
        .collect()
}

/// Upstream products and sources → this product → readers, as an SVG picture; products are
/// links.
#[component]
pub(super) fn Lineage(
    id: String,
    title: String,
    upstream: Vec<LineageNode>,
    sources: Vec<meshdesk_domain::Source>,
    readers: Vec<meshdesk_domain::lineage::Reader>,
    note: Option<String>,
) -> impl IntoView {
    let right = reader_rows(&readers);
    let left = upstream_rows(&upstream, &sources);
    let empty = left.is_empty() && right.is_empty();
    view! {
        <LineageLegend />
        <LineagePicture id title left right />
        {empty.then(|| view! { <p class="muted">"No inputs or readers yet."</p> })}
        {note.map(|n| view! { <p class="muted" id="lineage-note">{format!("Observed readers unknown: {n}")}</p> })}
    }
}

/// The legend: the class and name of each way an edge is known.
#[component]
fn LineageLegend() -> impl IntoView {
    view! {
        <div class="lineage-legend" aria-label="How each edge is known">
            <span class="confirmed">"confirmed"</span>
            <span class="declared">"declared"</span>
            <span class="granted">"granted"</span>
            <span class="observed">"observed"</span>
            <span class="unknown-reader">"unknown reader"</span>
        </div>
    }
}

/// The SVG picture: the `left` boxes, the product (`title`, `id`) in the middle, the `right`
/// boxes, and an edge from each input to the product and from the product to each reader.
#[component]
fn LineagePicture(id: String, title: String, left: Vec<Row>, right: Vec<Row>) -> impl IntoView {
    let rows = left.len().max(right.len()).max(1) as f64;
    let height = rows * (BOX_H + GAP) + GAP;
    let y = |i: usize, n: usize| {
        let total = n as f64 * (BOX_H + GAP) - GAP;
        (height - total) / 2.0 + i as f64 * (BOX_H + GAP)
    };
    let mid_y = (height - BOX_H) / 2.0;
    let navigate = use_navigate();
    let draw = |x, y, label, sub, href, class| node(&navigate, x, y, label, sub, href, class);
    let nl = left.len();
    let nr = right.len();
    let edges_left: Vec<_> = left
        .iter()
        .enumerate()
        .map(|(i, l)| edge(COL[0] + BOX_W, y(i, nl) + BOX_H / 2.0, COL[1], mid_y + BOX_H / 2.0, l.3.clone()))
        .collect();
    let edges_right: Vec<_> = right
        .iter()
        .enumerate()
        .map(|(i, r)| edge(COL[1] + BOX_W, mid_y + BOX_H / 2.0, COL[2], y(i, nr) + BOX_H / 2.0, r.3.clone()))
        .collect();
    let lefts: Vec<_> = left
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h, c))| {
            let class = if c.contains("source") { "lineage-node upstream source" } else { "lineage-node upstream" };
            draw(COL[0], y(i, nl), t, s, h, class)
        })
        .collect();
    let rights: Vec<_> = right
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h, c))| {
            let class = if c == "unknown-reader" {
                "lineage-node downstream unknown-reader"
            } else {
                "lineage-node downstream"
            };
            draw(COL[2], y(i, nr), t, s, h, class)
        })
        .collect();
    let me = draw(COL[1], mid_y, title, id, None, "lineage-node self");
    view! {
        <svg class="lineage" id="lineage" width=WIDTH height=height viewBox=format!("0 0 {WIDTH} {height}") role="img">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" />
                </marker>
            </defs>
            {edges_left}
            {edges_right}
            {lefts}
            {me}
            {rights}
        </svg>
    }
}

/// One box at (`x`, `y`): its label and sub-label cut to fit, the whole text as its tooltip; a
/// link (opening the lineage tab) when it has `href`.
fn node(
    navigate: &(impl Fn(&str, leptos_router::NavigateOptions) + Clone + 'static),
    x: f64,
    y: f64,
    label: String,
    sub: String,
    href: Option<String>,
    class: &'static str,
) -> AnyView {
    let tip = format!("{label}\n{sub}");
    let inner = view! {
        <title>{tip}</title>
        <rect x=x y=y width=BOX_W height=BOX_H rx="6" class=class />
        <text x=x + 10.0 y=y + 18.0 class="lineage-title">{fit(&label, 32)}</text>
        <text x=x + 10.0 y=y + 34.0 class="lineage-sub">{fit(&sub, 36)}</text>
    };
    match href {
        // Products are links: the router navigates in the app.
        Some(h) => {
            let navigate = navigate.clone();
            view! {
                <g class="lineage-link" role="link" data-href=h.clone() on:click=move |_| navigate(&format!("{h}?tab=lineage"), Default::default())>
                    {inner}
                </g>
            }
            .into_any()
        }
        None => view! { <g>{inner}</g> }.into_any(),
    }
}

/// An arrow from (`x1`, `y1`) to (`x2`, `y2`), classed by how it is known.
fn edge(x1: f64, y1: f64, x2: f64, y2: f64, class: String) -> impl IntoView {
    view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class=format!("lineage-edge {class}") data-provenance=class.clone() marker-end="url(#arrow)" /> }
}
