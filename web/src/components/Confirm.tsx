import { useId, useLayoutEffect, useRef, type KeyboardEvent, type ReactNode } from "react";

type Props = {
  /** The question, read out as the box's name ("Delete this entry?"). */
  title: ReactNode;
  /** What confirming does, read out as its description. */
  children?: ReactNode;
  confirmLabel: ReactNode;
  /** Shown on the confirming button while `busy`. */
  busyLabel?: ReactNode;
  cancelLabel?: ReactNode;
  onConfirm: () => void;
  /** Cancel, Escape: the box goes; focus goes back to what opened it. */
  onCancel: () => void;
  busy?: boolean;
  /** The confirming button's style: `danger` (the default) for what cannot be undone. */
  tone?: "danger" | "primary";
  className?: string;
  /**
   * Where focus goes on cancel when the control that opened the box is gone (or was not
   * focused): read after the box has gone, so it may name an element shown again then.
   */
  fallbackFocus?: () => HTMLElement | null | undefined;
};

/**
 * Asks before a change: an alert dialog named by its question and described by what it
 * does, the confirming button focused as it appears, Escape or Cancel to keep things as
 * they are (focus back where it was).
 */
export function Confirm({
  title,
  children,
  confirmLabel,
  busyLabel,
  cancelLabel = "Cancel",
  onConfirm,
  onCancel,
  busy,
  tone = "danger",
  className,
  fallbackFocus,
}: Props) {
  const id = useId();
  const confirmButton = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);

  // A layout effect: the button takes focus in the same commit that shows it.
  useLayoutEffect(() => {
    const active = document.activeElement;
    opener.current = active instanceof HTMLElement && active !== document.body ? active : null;
    confirmButton.current?.focus();
  }, []);

  function cancel() {
    const back = opener.current;
    onCancel();
    requestAnimationFrame(() => {
      const target = back?.isConnected && !(back as HTMLButtonElement).disabled ? back : fallbackFocus?.();
      target?.focus();
    });
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key !== "Escape" || busy) return;
    e.preventDefault();
    e.stopPropagation();
    cancel();
  }

  return (
    <div
      className={`confirm ${className ?? ""}`}
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={children ? `${id}-message` : undefined}
      onKeyDown={onKeyDown}
    >
      <p id={`${id}-title`} className="problem-title">
        {title}
      </p>
      {children && (
        <div id={`${id}-message`} className="confirm-message">
          {children}
        </div>
      )}
      <div className="form-actions">
        <button
          type="button"
          ref={confirmButton}
          className={tone === "danger" ? "button-danger" : "button-primary"}
          onClick={onConfirm}
          disabled={busy}
        >
          {busy && busyLabel ? busyLabel : confirmLabel}
        </button>
        <button type="button" className="button-secondary" onClick={cancel} disabled={busy}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
