// The code editor of Meshdesk's window: CodeMirror 6 with JSON (Avro, JSON Schema) and
// Protobuf highlighting, folding, indentation, bracket matching, and the schema engine's errors
// as markers; and for policy rules, CEL with completion of the model's names (`cel`). Bundled by esbuild into `editor.js`, which sets `window.MeshdeskEditor`; the Leptos
// side binds it in `ui/src/components/code_editor.rs`. Colours come from the app's CSS tokens
// (`--syn-*`, `--editor-*`), so the editor follows the light and dark themes.
import { EditorState, Compartment } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting, HighlightStyle, bracketMatching, foldGutter, foldKeymap, codeFolding,
  indentOnInput, StreamLanguage, foldService, indentUnit,
} from "@codemirror/language";
import {
  autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap,
} from "@codemirror/autocomplete";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { json } from "@codemirror/lang-json";
import { protobuf } from "@codemirror/legacy-modes/mode/protobuf";
import { tags as t } from "@lezer/highlight";

const highlight = HighlightStyle.define([
  { tag: t.propertyName, color: "var(--syn-property)" },
  { tag: [t.string, t.special(t.string)], color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--syn-literal)" },
  { tag: [t.keyword, t.definitionKeyword, t.modifier], color: "var(--syn-keyword)", fontWeight: "600" },
  { tag: [t.typeName, t.variableName, t.definition(t.variableName)], color: "var(--syn-type)" },
  { tag: [t.comment, t.lineComment, t.blockComment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.brace, t.squareBracket, t.separator, t.punctuation], color: "var(--syn-punct)" },
]);

const theme = EditorView.theme({
  "&": { color: "var(--editor-ink)", backgroundColor: "var(--editor-bg)", fontSize: "12.5px", height: "100%" },
  ".cm-content": { fontFamily: "var(--font-mono)", caretColor: "var(--editor-ink)" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "18px", overflow: "auto" },
  ".cm-gutters": { backgroundColor: "var(--editor-gutter)", color: "var(--muted)", border: "none" },
  ".cm-activeLine": { backgroundColor: "var(--editor-active)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--editor-active)" },
  "&.cm-focused .cm-cursor": { borderLeftColor: "var(--editor-ink)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": { backgroundColor: "var(--editor-selection)" },
  "&.cm-focused .cm-matchingBracket": { backgroundColor: "var(--editor-bracket)", outline: "1px solid var(--accent)" },
  "&.cm-focused": { outline: "none" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", color: "var(--ink)", border: "1px solid var(--line)" },
  ".cm-tooltip-autocomplete > ul": { fontFamily: "var(--font-mono)" },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent-soft)", color: "var(--accent-soft-ink)" },
});

// Protobuf comes from a stream mode, which knows no structure: fold from a line ending in `{`
// to its closing brace.
const braceFold = foldService.of((state, from, to) => {
  const line = state.doc.lineAt(from);
  if (!/\{\s*$/.test(line.text)) return null;
  let depth = 0;
  for (let pos = line.to - 1; pos < state.doc.length; pos++) {
    const ch = state.doc.sliceString(pos, pos + 1);
    if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return pos > line.to ? { from: line.to, to: pos } : null;
  }
  return null;
});

// Completion for a CEL condition: after `name.`, the fields of that variable; elsewhere the
// variables and functions. The vocabulary comes from the Rust side (`setVocabulary`).
function celCompletion(vocabulary) {
  return (context) => {
    const member = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z0-9_]*$/);
    if (member) {
      const dot = member.text.indexOf(".");
      const fields = vocabulary.fields[member.text.slice(0, dot)];
      if (!fields) return null;
      return {
        from: member.from + dot + 1,
        options: fields.map((label) => ({ label, type: "property" })),
        validFor: /^[A-Za-z0-9_]*$/,
      };
    }
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*$/);
    if (!word && !context.explicit) return null;
    return {
      from: word ? word.from : context.pos,
      options: [
        ...vocabulary.variables.map((label) => ({ label, type: "variable" })),
        ...vocabulary.functions.map((label) => ({ label, type: "function", apply: label + "(" })),
      ],
      validFor: /^[A-Za-z0-9_]*$/,
    };
  };
}

function languages(vocabulary) {
  return {
    json: () => json(),
    protobuf: () => [StreamLanguage.define(protobuf), braceFold],
    cel: () => autocompletion({ override: [celCompletion(vocabulary)], activateOnTyping: true, icons: false }),
  };
}

function mount(parent, doc, language, onChange, readOnly, label) {
  const vocabulary = { variables: [], functions: [], fields: {} };
  const langs = languages(vocabulary);
  const lang = new Compartment();
  const editable = new Compartment();
  let silent = false;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(),
        codeFolding(), foldGutter(), drawSelection(), indentOnInput(), bracketMatching(),
        closeBrackets(), highlightActiveLine(), highlightSelectionMatches(), lintGutter(),
        indentUnit.of("  "), EditorState.tabSize.of(2),
        syntaxHighlighting(highlight), theme,
        keymap.of([...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, indentWithTab]),
        lang.of((langs[language] || langs.json)()),
        editable.of([EditorView.editable.of(!readOnly), EditorState.readOnly.of(!!readOnly)]),
        EditorView.contentAttributes.of({ "aria-label": label || "Schema", spellcheck: "false" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !silent) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    // Replaces the text without reporting it back as an edit.
    set(text) {
      if (text === view.state.doc.toString()) return;
      silent = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      } finally {
        silent = false;
      }
    },
    get() {
      return view.state.doc.toString();
    },
    // An error at a line and column (both from 1), shown in the gutter and under the text.
    mark(line, column, message) {
      const doc = view.state.doc;
      const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
      const from = Math.min(l.from + Math.max(column - 1, 0), l.to);
      const to = from < l.to ? from + 1 : from;
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: "error", message }]));
    },
    unmark() {
      view.dispatch(setDiagnostics(view.state, []));
    },
    setLanguage(language) {
      view.dispatch({ effects: lang.reconfigure((langs[language] || langs.json)()) });
    },
    // What CEL completion offers: {variables: [...], functions: [...], fields: {name: [...]}}.
    setVocabulary(text) {
      const v = JSON.parse(text);
      vocabulary.variables = v.variables || [];
      vocabulary.functions = v.functions || [];
      vocabulary.fields = v.fields || {};
    },
    focus() {
      view.focus();
    },
    destroy() {
      view.destroy();
    },
  };
}

window.MeshdeskEditor = { mount };
