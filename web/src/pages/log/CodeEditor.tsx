import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { markdownLanguage } from "@codemirror/lang-markdown";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic as CmDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import type { Diagnostic } from "../../api/client";
import type { EditorHandle, EditorProps } from "./editorTypes";

/**
 * The log's Markdown in CodeMirror 6, with line numbers and the service's diagnostics as
 * lint markers. Loaded lazily (it is most of the Log page's weight).
 *
 * The editor lives in a shadow root: CodeMirror's style-mod then puts its styles in a
 * constructed stylesheet (`adoptedStyleSheets`), which the app's CSP (`style-src 'self'`)
 * allows; on the document itself it would add a `<style>` element, which that CSP blocks.
 * Tab is left to move the focus on (no indent-with-Tab), so the editor does not trap it.
 */
export default function CodeEditor({ text, textKey, onChange, diagnostics, label, describedBy, ref }: EditorProps & { ref?: Ref<EditorHandle> }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const el = host.current!;
    const shadow = el.shadowRoot ?? el.attachShadow({ mode: "open" });
    const parent = document.createElement("div");
    shadow.replaceChildren(parent);
    const v = new EditorView({
      root: shadow,
      parent,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          EditorView.lineWrapping,
          markdownLanguage, // GFM Markdown without markdown()'s HTML support (which would bring CSS and JavaScript parsers)
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          lintGutter(),
          keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
          theme,
          typeOverSelection,
          EditorView.contentAttributes.of({
            "aria-label": label,
            "aria-multiline": "true",
            ...(describedBy ? { "aria-describedby": describedBy } : {}),
          }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once per `textKey`; typing does not re-create it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [textKey]);

  useEffect(() => {
    const v = view.current;
    if (v) v.dispatch(setDiagnostics(v.state, toCm(v.state, diagnostics)));
  }, [diagnostics, textKey]);

  useImperativeHandle(
    ref,
    () => ({
      goToLine(line: number) {
        const v = view.current;
        if (!v) return;
        const l = v.state.doc.line(Math.min(Math.max(line, 1), v.state.doc.lines));
        v.dispatch({ selection: { anchor: l.from }, scrollIntoView: true });
        v.focus();
      },
      focus: () => view.current?.focus(),
    }),
    [],
  );

  return <div ref={host} className="code-editor" data-testid="log-editor" />;
}

/** The service's findings (1-based lines) as CodeMirror diagnostics covering their lines. */
function toCm(state: EditorState, diagnostics: readonly Diagnostic[]): CmDiagnostic[] {
  const doc = state.doc;
  return diagnostics.map((d) => {
    const l = doc.line(Math.min(Math.max(d.line, 1), doc.lines));
    return { from: l.from, to: l.to, severity: d.severity, message: d.message, source: d.code };
  });
}

/**
 * Typing over a selection is done by CodeMirror rather than the browser: Chrome's own
 * replacement wraps the new text in a `<span style="…">` copying the deleted text's look,
 * which the CSP (`style-src 'self'`, so no style attributes) blocks and reports. The result
 * is the same text either way; this only keeps the browser from trying.
 */
const typeOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== "insertText" || !event.data || view.composing) return false;
    if (view.state.selection.ranges.every((r) => r.empty)) return false;
    event.preventDefault();
    view.dispatch(view.state.replaceSelection(event.data), { scrollIntoView: true, userEvent: "input.type" });
    return true;
  },
});

// The app's colours (styles.css cannot reach into the shadow root; inherited font and colour do).
const theme = EditorView.theme({
  "&": { backgroundColor: "#fff", color: "#1d2327", fontSize: "0.9rem", border: "1px solid #c9cbc4", borderRadius: "6px" },
  "&.cm-focused": { outline: "3px solid #1a56db", outlineOffset: "2px" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace',
    lineHeight: "1.55",
    minHeight: "20rem",
    maxHeight: "70vh",
    overflow: "auto",
  },
  ".cm-content": { padding: "0.4rem 0" },
  ".cm-gutters": { backgroundColor: "#f6f6f3", color: "#5b6570", borderRight: "1px solid #e2e3de", borderRadius: "6px 0 0 6px" },
  ".cm-activeLine": { backgroundColor: "#f3f8f7" },
  ".cm-activeLineGutter": { backgroundColor: "#e5f2f0", color: "#0b5750" },
  ".cm-tooltip": { fontFamily: "system-ui, sans-serif", fontSize: "0.85rem", maxWidth: "28rem" },
});
