import { useId, useLayoutEffect, useRef, type KeyboardEvent } from "react";

/**
 * A question asked in place before something that cannot be undone: an alert dialog named
 * by its question and described by what follows from it. The confirming button has the
 * focus as soon as it shows; Escape (or the other button) cancels. Where focus goes after a
 * "no" is the caller's (`onCancel`): back on the button that asked.
 */
export function Confirm({
  title,
  message,
  confirmLabel,
  cancelLabel = "Cancel",
  onConfirm,
  onCancel,
  danger,
  busy,
  className,
}: {
  title: string;
  message: string;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  /** While the answer is being sent: both buttons are disabled, Escape does nothing. */
  busy?: boolean;
  className?: string;
}) {
  const titleId = useId();
  const messageId = useId();
  const confirmButton = useRef<HTMLButtonElement>(null);

  useLayoutEffect(() => {
    confirmButton.current?.focus();
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key !== "Escape" || busy) return;
    e.preventDefault();
    e.stopPropagation();
    onCancel();
  }

  return (
    <div
      className={`confirm ${className ?? ""}`.trim()}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={messageId}
      onKeyDown={onKeyDown}
    >
      <p className="confirm-title" id={titleId}>
        <strong>{title}</strong>
      </p>
      <p id={messageId}>{message}</p>
      <div className="form-actions">
        <button type="button" ref={confirmButton} className={danger ? "button-danger" : "button-primary"} onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
