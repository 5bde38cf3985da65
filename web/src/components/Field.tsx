import { useId, type ReactNode, type Ref } from "react";
import type { Notice } from "../api/client";
import { FieldNotices } from "./Notices";

type Props = {
  label: string;
  value: string;
  onChange: (value: string) => void;
  notices?: readonly Notice[];
  type?: "text" | "time" | "date" | "month";
  multiline?: boolean;
  list?: string;
  required?: boolean;
  placeholder?: string;
  hint?: ReactNode;
  className?: string;
  autoFocus?: boolean;
  name?: string;
  /** Marks the input invalid even when its findings are shown elsewhere. */
  invalid?: boolean;
  /** Ids of more elements that describe the input. */
  describedBy?: string;
};

/** A labelled input with the service's findings about it right below. */
export function Field({
  label,
  value,
  onChange,
  notices,
  type = "text",
  multiline,
  list,
  required,
  placeholder,
  hint,
  className,
  autoFocus,
  name,
  invalid: invalidProp,
  describedBy: moreDescribedBy,
}: Props) {
  const id = useId();
  const noticesId = `${id}-notices`;
  const hintId = `${id}-hint`;
  const describedBy =
    [hint ? hintId : "", notices?.length ? noticesId : "", moreDescribedBy ?? ""].filter(Boolean).join(" ") || undefined;
  const invalid = invalidProp || notices?.some((n) => n.severity === "error") || undefined;
  const common = {
    id,
    name,
    value,
    required,
    placeholder,
    autoFocus,
    "aria-describedby": describedBy,
    "aria-invalid": invalid,
  };
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={2} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type={type}
          list={list}
          autoComplete={list ? "off" : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      <FieldNotices notices={notices} id={noticesId} />
    </div>
  );
}

type SelectProps = {
  label: string;
  value: string | number;
  onChange: (value: string) => void;
  /** The `<option>`s (and `<optgroup>`s). */
  children: ReactNode;
  notices?: readonly Notice[];
  hint?: ReactNode;
  className?: string;
  name?: string;
  disabled?: boolean;
  /** Marks the select invalid even when its findings are shown elsewhere. */
  invalid?: boolean;
  /** Ids of more elements that describe the select. */
  describedBy?: string;
  selectRef?: Ref<HTMLSelectElement>;
};

/** A labelled `<select>`, with a hint and the service's findings about it right below, as `Field`. */
export function SelectField({
  label,
  value,
  onChange,
  children,
  notices,
  hint,
  className,
  name,
  disabled,
  invalid: invalidProp,
  describedBy: moreDescribedBy,
  selectRef,
}: SelectProps) {
  const id = useId();
  const noticesId = `${id}-notices`;
  const hintId = `${id}-hint`;
  const describedBy =
    [hint ? hintId : "", notices?.length ? noticesId : "", moreDescribedBy ?? ""].filter(Boolean).join(" ") || undefined;
  const invalid = invalidProp || notices?.some((n) => n.severity === "error") || undefined;
  return (
    <div className={`field ${className ?? ""}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        ref={selectRef}
        name={name}
        value={value}
        disabled={disabled}
        aria-describedby={describedBy}
        aria-invalid={invalid}
        onChange={(e) => onChange(e.target.value)}
      >
        {children}
      </select>
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      <FieldNotices notices={notices} id={noticesId} />
    </div>
  );
}
