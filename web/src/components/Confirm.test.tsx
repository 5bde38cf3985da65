import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useRef, useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { Confirm } from "./Confirm";

/** A button that opens the box; `hideOpener`: it is not shown while the box is (as in a row's actions). */
function Harness({ hideOpener, onConfirm }: { hideOpener?: boolean; onConfirm: () => void }) {
  const [open, setOpen] = useState(false);
  const fallback = useRef<HTMLButtonElement>(null);
  return (
    <>
      {(!open || !hideOpener) && (
        <button type="button" ref={fallback} onClick={() => setOpen(true)}>
          Delete it
        </button>
      )}
      {open && (
        <Confirm
          title="Delete it?"
          confirmLabel="Delete"
          cancelLabel="Keep it"
          onConfirm={onConfirm}
          onCancel={() => setOpen(false)}
          fallbackFocus={() => fallback.current}
        >
          <p>This cannot be undone.</p>
        </Confirm>
      )}
    </>
  );
}

describe("Confirm", () => {
  it("asks as an alert dialog named by its question, with the confirming button focused", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    const dialog = screen.getByRole("alertdialog", { name: "Delete it?" });
    expect(dialog).toHaveAccessibleDescription("This cannot be undone.");
    expect(screen.getByRole("button", { name: "Delete" })).toHaveFocus();
    await user.keyboard("{Enter}");
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it("closes on Escape and on Keep it, focus back on the control that opened it", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn();
    render(<Harness onConfirm={onConfirm} />);
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete it" })).toHaveFocus());
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    await user.click(screen.getByRole("button", { name: "Keep it" }));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete it" })).toHaveFocus());
    expect(onConfirm).not.toHaveBeenCalled();
  });

  it("focuses the given fallback when the control that opened it is gone", async () => {
    const user = userEvent.setup();
    render(<Harness hideOpener onConfirm={() => {}} />);
    await user.click(screen.getByRole("button", { name: "Delete it" }));
    expect(screen.queryByRole("button", { name: "Delete it" })).toBeNull();
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.getByRole("button", { name: "Delete it" })).toHaveFocus());
  });
});
