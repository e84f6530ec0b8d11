//! Times as people read them: the date in the user's locale, with how long ago (or how soon)
//! it is; the exact UTC minute in the tooltip.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The date and time in the user's locale (`1 Dec 2026, 03:45`).
pub fn local(ms: i64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    // Setting plain string properties on a fresh object cannot fail.
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    String::from(date.to_locale_string("default", &options))
}

/// `5 min ago`, `in 3 days`, `just now`.
pub fn relative(ms: i64, now_ms: i64) -> String {
    let delta = ms - now_ms;
    let past = delta < 0;
    let secs = delta.unsigned_abs() / 1000;
    let (n, unit) = match secs {
        s if s < 45 => return "just now".into(),
        s if s < 90 * 60 => ((s + 30) / 60, "min"),
        s if s < 36 * 3600 => ((s + 1800) / 3600, "hour"),
        s if s < 60 * 86_400 => ((s + 43_200) / 86_400, "day"),
        s if s < 730 * 86_400 => ((s + 15 * 86_400) / (30 * 86_400), "month"),
        s => ((s + 182 * 86_400) / (365 * 86_400), "year"),
    };
    let plural = if n == 1 || unit == "min" { "" } else { "s" };
    if past { format!("{n} {unit}{plural} ago") } else { format!("in {n} {unit}{plural}") }
}

/// A moment: local date and relative time, the UTC minute as a tooltip.
#[component]
pub fn When(ms: i64) -> impl IntoView {
    let now = js_sys::Date::now() as i64;
    view! {
        <time datetime=meshdesk_domain::time::iso_utc(ms) title=meshdesk_domain::time::minute_utc(ms)>
            {format!("{} ({})", local(ms), relative(ms, now))}
        </time>
    }
}
