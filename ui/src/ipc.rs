//! The one way the UI talks to the backend: typed calls through `meshdesk_contract`, and
//! backend events. Errors come back as values (`IpcError`), never as panics.

use meshdesk_contract::{ARG, Command, IpcError};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // Synchronous imports returning a Promise: if Tauri is absent the call throws, and `catch`
    // turns that into an Err instead of dying silently inside async glue.
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    fn tauri_invoke(cmd: &str, args: JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "event"], js_name = listen)]
    fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<js_sys::Promise, JsValue>;
}

fn in_tauri() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"__TAURI_INTERNALS__".into()).unwrap_or(false)
}

fn describe(v: &JsValue) -> String {
    v.as_string()
        .or_else(|| js_sys::JSON::stringify(v).ok().and_then(|s| s.as_string()))
        .unwrap_or_else(|| "unknown error".into())
}

/// Calls command `C` with `req`.
pub async fn call<C: Command>(req: &C::Request) -> Result<C::Response, IpcError> {
    if !in_tauri() {
        return Err(IpcError::new("Meshdesk's backend is not available here: open this page in the Meshdesk app."));
    }
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    let payload =
        req.serialize(&ser).map_err(|e| IpcError::new(format!("could not encode the {} request: {e}", C::NAME)))?;
    let args = js_sys::Object::new();
    js_sys::Reflect::set(&args, &ARG.into(), &payload).map_err(|e| IpcError::new(describe(&e)))?;
    let promise = tauri_invoke(C::NAME, args.into()).map_err(|e| IpcError::new(describe(&e)))?;
    match JsFuture::from(promise).await {
        Ok(v) => serde_wasm_bindgen::from_value(v)
            .map_err(|e| IpcError::new(format!("could not read the {} response: {e}", C::NAME))),
        Err(e) => {
            Err(serde_wasm_bindgen::from_value::<IpcError>(e.clone()).unwrap_or_else(|_| IpcError::new(describe(&e))))
        }
    }
}

/// Calls `f` whenever the backend emits `event`, for the lifetime of the page.
pub fn listen(event: &'static str, f: impl FnMut() + 'static) {
    if !in_tauri() {
        return;
    }
    let mut f = f;
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |_payload: JsValue| f());
    match tauri_listen(event, &handler) {
        Ok(_promise) => handler.forget(),
        Err(e) => web_sys_log(&format!("could not listen to {event}: {}", describe(&e))),
    }
}

fn web_sys_log(s: &str) {
    js_sys::Reflect::get(&js_sys::global(), &"console".into())
        .ok()
        .and_then(|console| js_sys::Reflect::get(&console, &"error".into()).ok())
        .and_then(|error| error.dyn_into::<js_sys::Function>().ok())
        .map(|error| error.call1(&JsValue::NULL, &s.into()));
}
