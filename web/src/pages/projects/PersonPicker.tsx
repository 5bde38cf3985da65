import { forwardRef, useId, useState, type KeyboardEvent } from "react";
import { candidates, personLabel } from "../../lib/projects";
import type { Person } from "./directory";

/**
 * Chooses someone of the tenant's directory by name or email: a combobox whose list
 * narrows as one types; arrow keys move, Enter or a click chooses, Escape closes.
 * Removed people and those in `exclude` (already on the project) are left out.
 */
export const PersonPicker = forwardRef<
  HTMLInputElement,
  {
    people: readonly Person[];
    exclude: ReadonlySet<string>;
    chosen: Person | null;
    onChoose: (p: Person | null) => void;
    invalid?: boolean;
    describedBy?: string;
  }
>(function PersonPicker({ people, exclude, chosen, onChoose, invalid, describedBy }, ref) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const [query, setQuery] = useState(chosen ? personLabel(chosen) : "");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const options = candidates(people, exclude, chosen && query === personLabel(chosen) ? "" : query);
  const at = Math.min(active, options.length - 1);

  function choose(p: Person) {
    onChoose(p);
    setQuery(personLabel(p));
    setOpen(false);
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) {
        setOpen(true);
        setActive(0);
        return;
      }
      const n = options.length;
      if (n) setActive((at + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
    } else if (e.key === "Enter") {
      if (open && options[at]) {
        e.preventDefault();
        choose(options[at]);
      }
    } else if (e.key === "Escape") {
      if (open) {
        e.preventDefault();
        e.stopPropagation();
        setOpen(false);
      }
    }
  }

  const optionId = (i: number) => `${id}-opt-${i}`;
  return (
    <div className="field picker">
      <label htmlFor={id}>Person</label>
      <input
        id={id}
        ref={ref}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open && options[at] ? optionId(at) : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={[hintId, describedBy].filter(Boolean).join(" ")}
        autoComplete="off"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
          if (chosen) onChoose(null);
        }}
        onFocus={() => setOpen(true)}
        onClick={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKey}
      />
      <p className="hint" id={hintId}>
        {chosen ? `Chosen: ${personLabel(chosen)}${chosen.email ? ` (${chosen.email})` : ""}` : "Type a name or email, then choose from the list."}
      </p>
      <ul role="listbox" id={listId} aria-label="People to add" className="picker-list" hidden={!open}>
        {options.map((p, i) => (
          <li
            key={p.id}
            id={optionId(i)}
            role="option"
            aria-selected={i === at}
            className={i === at ? "picker-option is-active" : "picker-option"}
            // Keeps the focus in the input, so the blur does not close the list before the click.
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(p)}
          >
            <span className="picker-name">{p.name || p.email || p.id}</span>
            {p.email && p.name && <span className="picker-email">{p.email}</span>}
            {p.status !== "active" && <span className="badge badge-muted">{p.status}</span>}
          </li>
        ))}
        {open && options.length === 0 && (
          <li className="picker-none" role="option" aria-selected={false} aria-disabled="true">
            {query.trim() ? `No one else matches “${query.trim()}”.` : "Everyone is on this project already."}
          </li>
        )}
      </ul>
    </div>
  );
});
