//! The policies in wasm, as the Policies page evaluates them in the window (one thread): the
//! built-in rules and 50 rules over catalogs of 1,000 and 10,000 products, timed in node, next
//! to the floor (building what the rules see, no rule) in the same run.
//!
//! Run: `scripts/bench-wasm.sh` (release build, wasm-bindgen-test-runner under node).
#![cfg(target_arch = "wasm32")]
// A test or a benchmark reads as one story: the 80-line bound is for the code it runs.
#![allow(clippy::too_many_lines)]

use meshdesk_domain::policy::{Policies, RuleSet};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

mod policy_catalog;
use policy_catalog::{catalog, extra_rules};

#[wasm_bindgen_test]
fn policies_over_the_catalog_in_wasm() {
    let builtin = Policies::default().rules();
    let mut fifty = builtin.clone();
    fifty.extend(extra_rules());
    let sets = [
        ("floor: the model's view, no rule", RuleSet::compile(vec![]).unwrap()),
        ("built-in policies", RuleSet::compile(builtin).unwrap()),
        ("50 policies", RuleSet::compile(fifty).unwrap()),
    ];
    for n in [1_000, 10_000] {
        let products = catalog(n);
        console_log!("policies in wasm (node): {n} products");
        for (name, set) in &sets {
            // Best of three.
            let mut best = f64::MAX;
            let mut findings = 0;
            for _ in 0..3 {
                let t = js_sys::Date::now();
                findings = set.check_catalog(&products).iter().map(Vec::len).sum::<usize>();
                best = best.min(js_sys::Date::now() - t);
            }
            console_log!(
                "  {name:<36} {:>3} rules  {best:>8.1} ms  {:>9.0} products/s  ({findings} findings)",
                set.len(),
                n as f64 / (best / 1e3)
            );
        }
    }
}
