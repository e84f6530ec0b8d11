//! The lineage picture: upstream products, this product, downstream products and consumers.

use super::*;

/// Upstream products (input ports) → this product → downstream products and consumers, as an
/// SVG picture; products are links.
#[component]
pub(super) fn Lineage(
    id: String,
    title: String,
    upstream: Vec<LineageNode>,
    downstream: Vec<LineageNode>,
    consumers: Vec<String>,
) -> impl IntoView {
    const BOX_W: f64 = 200.0;
    const BOX_H: f64 = 44.0;
    const GAP: f64 = 16.0;
    const COL: [f64; 3] = [10.0, 290.0, 570.0];
    let right: Vec<(String, String, Option<String>)> = downstream
        .iter()
        .map(|n| (n.title.clone(), n.id.clone(), Some(format!("/products/{}", n.id))))
        .chain(consumers.iter().map(|c| (c.clone(), "consumer".to_owned(), None)))
        .collect();
    let left: Vec<(String, String, Option<String>)> = upstream
        .iter()
        .map(|n| (n.title.clone(), n.id.clone(), n.known.then(|| format!("/products/{}", n.id))))
        .collect();
    let rows = left.len().max(right.len()).max(1) as f64;
    let height = rows * (BOX_H + GAP) + GAP;
    let y = |i: usize, n: usize| {
        let total = n as f64 * (BOX_H + GAP) - GAP;
        (height - total) / 2.0 + i as f64 * (BOX_H + GAP)
    };
    let mid_y = (height - BOX_H) / 2.0;
    let navigate = use_navigate();
    let node = move |x: f64, y: f64, label: String, sub: String, href: Option<String>, class: &'static str| {
        let inner = view! {
            <rect x=x y=y width=BOX_W height=BOX_H rx="6" class=class />
            <text x=x + 10.0 y=y + 18.0 class="lineage-title">{label}</text>
            <text x=x + 10.0 y=y + 34.0 class="lineage-sub">{sub}</text>
        };
        match href {
            // Products are links: the router navigates in the app.
            Some(h) => {
                let navigate = navigate.clone();
                view! {
                    <g class="lineage-link" role="link" data-href=h.clone() on:click=move |_| navigate(&h, Default::default())>
                        {inner}
                    </g>
                }
                .into_any()
            }
            None => view! { <g>{inner}</g> }.into_any(),
        }
    };
    let nl = left.len();
    let nr = right.len();
    let edges_left: Vec<_> = (0..nl)
        .map(|i| {
            let (x1, y1, x2, y2) = (COL[0] + BOX_W, y(i, nl) + BOX_H / 2.0, COL[1], mid_y + BOX_H / 2.0);
            view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="lineage-edge" marker-end="url(#arrow)" /> }
        })
        .collect();
    let edges_right: Vec<_> = (0..nr)
        .map(|i| {
            let (x1, y1, x2, y2) = (COL[1] + BOX_W, mid_y + BOX_H / 2.0, COL[2], y(i, nr) + BOX_H / 2.0);
            view! { <line x1=x1 y1=y1 x2=x2 y2=y2 class="lineage-edge" marker-end="url(#arrow)" /> }
        })
        .collect();
    let lefts: Vec<_> = left
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h))| node(COL[0], y(i, nl), t, s, h, "lineage-node upstream"))
        .collect();
    let rights: Vec<_> = right
        .into_iter()
        .enumerate()
        .map(|(i, (t, s, h))| node(COL[2], y(i, nr), t, s, h, "lineage-node downstream"))
        .collect();
    let me = node(COL[1], mid_y, title, id, None, "lineage-node self");
    view! {
        <svg class="lineage" id="lineage" width="780" height=height viewBox=format!("0 0 780 {height}") role="img">
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
        {(nl == 0 && nr == 0).then(|| view! { <p class="muted">"No upstream products, derived products or consumers yet."</p> })}
    }
}
