import { useId, useRef, type KeyboardEvent } from "react";
import type { Notice } from "../../api/client";
import { FieldNotices } from "../../components/Notices";
import { addItem } from "../../lib/projects";

export type ListDraft = { items: string[]; draft: string };

/** The items with what is typed in the add box (a person who types and saves means it too). */
export function itemsOf(list: ListDraft): string[] {
  return addItem(list.items, list.draft);
}

/**
 * A list a person adds to and removes from: each item with its Remove button, then a box
 * to type one more and Add (or Enter). Focus stays in the list after each change.
 */
export function ListEditor({
  legend,
  noun,
  value,
  onChange,
  notices,
  invalid,
}: {
  legend: string;
  /** What one item is called, e.g. "goal". */
  noun: string;
  value: ListDraft;
  onChange: (v: ListDraft) => void;
  notices?: readonly Notice[];
  invalid?: boolean;
}) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);

  function add() {
    const t = value.draft.trim();
    if (!t) return;
    onChange({ items: addItem(value.items, t), draft: "" });
    input.current?.focus();
  }

  function remove(i: number) {
    const items = value.items.filter((_, j) => j !== i);
    onChange({ ...value, items });
    // Focus the item that took its place (or the one before it), else the add box.
    requestAnimationFrame(() => {
      const buttons = list.current?.querySelectorAll<HTMLButtonElement>("button") ?? [];
      const next = buttons[Math.min(i, buttons.length - 1)];
      (next ?? input.current)?.focus();
    });
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter") {
      e.preventDefault();
      add();
    }
  }

  return (
    <fieldset className="list-editor" aria-describedby={notices?.length ? `${id}-notices` : undefined}>
      <legend>{legend}</legend>
      {value.items.length > 0 ? (
        <ul className="list-items" ref={list}>
          {value.items.map((item, i) => (
            <li key={`${item}-${i}`}>
              <span className="list-item-text">{item}</span>
              <button type="button" className="button-quiet" onClick={() => remove(i)} aria-label={`Remove ${noun} “${item}”`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="hint list-none">No {noun}s yet.</p>
      )}
      <div className="list-add">
        <label htmlFor={`${id}-add`} className="visually-hidden">
          Add a {noun}
        </label>
        <input
          id={`${id}-add`}
          ref={input}
          value={value.draft}
          placeholder={`Add a ${noun}`}
          aria-invalid={invalid || undefined}
          onChange={(e) => onChange({ ...value, draft: e.target.value })}
          onKeyDown={onKey}
        />
        <button type="button" className="button-secondary" onClick={add} aria-label={`Add ${noun}`}>
          Add
        </button>
      </div>
      <FieldNotices notices={notices} id={`${id}-notices`} />
    </fieldset>
  );
}
