//! The code editor: CodeMirror 6 (bundled from npm into `editor.js` by scripts/build-ui.sh),
//! bound to a signal. For schemas: highlighting for JSON (Avro, JSON Schema) and Protobuf,
//! folding, indentation, bracket matching, and the engine's error as a marker at its line and
//! column. For policy rules (`language="cel"`): completion of the names a vocabulary gives.
//! If the bundle did not load, a plain text area stands in and says why.

use leptos::prelude::*;
use leptos::web_sys::HtmlElement;
use meshdesk_contract::SchemaFormat;
use meshdesk_domain::schema::SchemaError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// One mounted CodeMirror view (`ui/editor/src/editor.js`).
    type EditorHandle;

    #[wasm_bindgen(catch, js_namespace = MeshdeskEditor, js_name = mount)]
    fn mount(
        parent: &HtmlElement,
        doc: &str,
        language: &str,
        on_change: &Closure<dyn Fn(String)>,
        read_only: bool,
        label: &str,
    ) -> Result<EditorHandle, JsValue>;

    #[wasm_bindgen(method)]
    fn set(this: &EditorHandle, doc: &str);
    #[wasm_bindgen(method)]
    fn mark(this: &EditorHandle, line: u32, column: u32, message: &str);
    #[wasm_bindgen(method)]
    fn unmark(this: &EditorHandle);
    #[wasm_bindgen(method, js_name = setLanguage)]
    fn set_language(this: &EditorHandle, language: &str);
    #[wasm_bindgen(method, js_name = setVocabulary)]
    fn set_vocabulary(this: &EditorHandle, json: &str);
    #[wasm_bindgen(method)]
    fn destroy(this: &EditorHandle);
}

/// Where the engine found a mistake: line and column from 1, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl From<&SchemaError> for Marker {
    fn from(e: &SchemaError) -> Self {
        Marker { line: e.pos.line, column: e.pos.column, message: e.message.clone() }
    }
}

fn language_of(format: SchemaFormat) -> &'static str {
    match format {
        SchemaFormat::Protobuf => "protobuf",
        SchemaFormat::Avro | SchemaFormat::Json => "json",
    }
}

/// A mounted editor and the closure it calls on each edit, once mounted.
type Mounted = StoredValue<Option<(EditorHandle, Closure<dyn Fn(String)>)>, LocalStorage>;

/// A code editor showing `value` and writing every edit back to it. `marker` is drawn in the
/// gutter and under the text; the wrapper carries `data-error-line` for whoever reads the page.
#[component]
pub fn CodeEditor(
    #[prop(into)] id: String,
    value: RwSignal<String>,
    #[prop(into)] format: Signal<SchemaFormat>,
    #[prop(into, optional)] marker: Signal<Option<Marker>>,
    #[prop(optional)] read_only: bool,
    /// Called after each edit with the new text (besides `value`).
    #[prop(optional)]
    on_edit: Option<Callback<String>>,
    /// A language other than the schema format's: `cel` for policy rules.
    #[prop(optional)]
    language: Option<&'static str>,
    /// What the editor is, for assistive technology (default: "Schema").
    #[prop(optional)]
    label: Option<&'static str>,
    /// For `cel`: the names completion offers, as JSON `{variables, functions, fields}`.
    #[prop(optional, into)]
    vocabulary: Option<Signal<String>>,
) -> impl IntoView {
    let language_now = move || language.unwrap_or_else(|| language_of(format.get()));
    let host = NodeRef::<leptos::html::Div>::new();
    let handle: Mounted = StoredValue::new_local(None);
    let failed = RwSignal::new(None::<String>);
    host.on_load(move |el| {
        let on_change = Closure::<dyn Fn(String)>::new(move |text: String| {
            value.set(text.clone());
            if let Some(cb) = on_edit {
                cb.run(text);
            }
        });
        let initial = value.get_untracked();
        match mount(&el, &initial, untrack(language_now), &on_change, read_only, label.unwrap_or("Schema")) {
            Ok(h) => {
                if let Some(v) = vocabulary {
                    h.set_vocabulary(&v.get_untracked());
                }
                handle.set_value(Some((h, on_change)))
            }
            Err(e) => failed.set(Some(e.as_string().unwrap_or_else(|| format!("{e:?}")))),
        }
    });
    sync_effects(handle, value, language_now, vocabulary, marker);
    on_cleanup(move || {
        if let Some(Some((h, _))) = handle.try_update_value(|h| h.take()) {
            h.destroy();
        }
    });
    view! {
        <div class="code-editor" id=id data-error-line=move || marker.get().map(|m| m.line.to_string())>
            <div class="code-editor-host" node_ref=host></div>
            {move || failed.get().map(|why| view! { <Fallback why value read_only on_edit /> })}
        </div>
    }
}

/// Keeps the mounted editor in step with the text, language, vocabulary and error marker.
fn sync_effects(
    handle: Mounted,
    value: RwSignal<String>,
    language_now: impl Fn() -> &'static str + 'static,
    vocabulary: Option<Signal<String>>,
    marker: Signal<Option<Marker>>,
) {
    Effect::new(move |_| {
        let text = value.get();
        handle.with_value(|h| {
            if let Some((h, _)) = h {
                h.set(&text)
            }
        });
    });
    Effect::new(move |_| {
        let language = language_now();
        handle.with_value(|h| {
            if let Some((h, _)) = h {
                h.set_language(language)
            }
        });
    });
    Effect::new(move |_| {
        let Some(v) = vocabulary else { return };
        let json = v.get();
        handle.with_value(|h| {
            if let Some((h, _)) = h {
                h.set_vocabulary(&json)
            }
        });
    });
    Effect::new(move |_| {
        let m = marker.get();
        handle.with_value(|h| match (h, m) {
            (Some((h, _)), Some(m)) => h.mark(m.line, m.column, &m.message),
            (Some((h, _)), None) => h.unmark(),
            _ => {}
        });
    });
}

/// The plain text area that stands in when the editor did not load, and why it did not.
#[component]
fn Fallback(why: String, value: RwSignal<String>, read_only: bool, on_edit: Option<Callback<String>>) -> impl IntoView {
    view! {
        <p class="muted">{format!("The code editor did not load ({why}); a plain text field stands in.")}</p>
        <textarea class="code-editor-fallback mono" rows="16" spellcheck="false" readonly=read_only
            prop:value=move || value.get()
            on:input=move |ev| {
                let text = event_target_value(&ev);
                value.set(text.clone());
                if let Some(cb) = on_edit { cb.run(text) }
            }></textarea>
    }
}
