import type { Diagnostic } from "../../api/client";

/** What the Log page asks of its editor (CodeMirror in the app, a textarea in tests). */
export type EditorHandle = {
  /** Puts the cursor at the start of a 1-based line, scrolls it into view and focuses the editor. */
  goToLine(line: number): void;
  focus(): void;
};

export type EditorProps = {
  /** The text the editor starts from; it is taken again only when `textKey` changes. */
  text: string;
  textKey: string;
  onChange: (text: string) => void;
  diagnostics: readonly Diagnostic[];
  label: string;
  describedBy?: string;
};
