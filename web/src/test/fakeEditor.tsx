import { useEffect, useImperativeHandle, useRef, useState, type Ref } from "react";
import type { EditorHandle, EditorProps } from "../pages/log/editorTypes";

/** Stands in for the CodeMirror editor in tests (happy-dom has no layout): a textarea with its props. */
export default function FakeEditor({ text, textKey, onChange, diagnostics, label, ref }: EditorProps & { ref?: Ref<EditorHandle> }) {
  const [value, setValue] = useState(text);
  const el = useRef<HTMLTextAreaElement>(null);
  // Like CodeMirror, the text is replaced only when the key changes, not on mount (which would undo a change typed first).
  const shownKey = useRef(textKey);
  useEffect(() => {
    if (shownKey.current === textKey) return;
    shownKey.current = textKey;
    setValue(text);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [textKey]);
  useImperativeHandle(ref, () => ({
    goToLine(line: number) {
      const t = el.current!;
      const pos = t.value.split("\n").slice(0, line - 1).join("\n").length + (line > 1 ? 1 : 0);
      t.focus();
      t.setSelectionRange(pos, pos);
    },
    focus: () => el.current?.focus(),
  }));
  return (
    <textarea
      ref={el}
      aria-label={label}
      value={value}
      data-lint-lines={diagnostics.map((d) => d.line).join(",")}
      onChange={(e) => {
        setValue(e.target.value);
        onChange(e.target.value);
      }}
    />
  );
}
