import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Diagnostic, LogCheck, UploadReport } from "../api/client";
import { fakeService, ME, type Recorded } from "../test/fakeService";
import LogPage from "./Log";

// CodeMirror needs layout that happy-dom lacks: a textarea with the same props stands in.
vi.mock("./log/CodeEditor", () => import("../test/fakeEditor"));

const FY = "2026-2027";
const V4 = "# Time Log 2026-2027\n\n## December 2026\n\n### 2026-12-02\n\n- **09:00-10:00**: Planning [[Web]]\n";
const MISTAKE = V4.replace("09:00-10:00", "25:00-26:00");
const EDITED = V4.replace("Planning", "Planning the week");

const markdown = (text: string, version: number) =>
  new Response(text, { status: 200, headers: { "content-type": "text/markdown; charset=utf-8", "x-log-version": String(version) } });
const invalidTime: Diagnostic = { line: 7, severity: "error", code: "invalid-time", message: 'time "25:00" is out of range' };
const mostDeleted: Diagnostic = { line: 1, severity: "error", code: "would-delete-most", message: "this file would delete 1 of the 1 entries" };

function answer(body: string, baseVersion: number, logVersion = 4): LogCheck {
  if (body.includes("25:00")) {
    return { fiscalYear: FY, status: "rejected", logVersion, summary: null, diagnostics: [invalidTime], message: "1 error" };
  }
  if (!body.includes("- **")) {
    return { fiscalYear: FY, status: "rejected", logVersion, summary: null, diagnostics: [mostDeleted], message: "1 error" };
  }
  const changed = body === V4 ? 0 : 1;
  return {
    fiscalYear: FY,
    status: baseVersion === logVersion ? "ok" : "conflict",
    logVersion,
    summary: { unchanged: 1 - changed, updated: changed, inserted: 0, deleted: 0 },
    diagnostics: [],
    message: null,
  };
}

function report(r: Partial<UploadReport>): UploadReport {
  return {
    id: "u-1",
    kind: "log",
    fileName: `time-log-${FY}.md`,
    key: "k",
    fiscalYear: FY,
    project: null,
    baseVersion: 4,
    status: "applied",
    diagnostics: [],
    summary: { unchanged: 0, updated: 1, inserted: 0, deleted: 0 },
    logVersion: 5,
    sourceVersion: null,
    message: null,
    createdAt: "2026-12-03T10:00:00Z",
    expiresAt: null,
    finishedAt: "2026-12-03T10:00:00Z",
    allowDeletes: false,
    ...r,
  } as UploadReport;
}

function service(routes: Parameters<typeof fakeService>[0] = {}) {
  return fakeService({
    "GET /v1/logs": { body: { logs: [] } },
    "GET /v1/logs/:fy": () => markdown(V4, 4),
    "GET /v1/logs/:fy/versions": { body: { fiscalYear: FY, currentVersion: 4, versions: [] } },
    "POST /v1/logs/:fy/check": (req: Recorded) => ({ body: answer(String(req.body), Number(req.query.get("baseVersion"))) }),
    ...routes,
  });
}

const editor = () => screen.getByRole("textbox", { name: `The time log of ${FY} (Markdown)` });
const type = (text: string) => fireEvent.change(editor(), { target: { value: text } });
const status = () => document.querySelector(".log-status")!;
const saveButton = () => screen.getByRole("button", { name: "Save" });
const puts = (s: ReturnType<typeof fakeService>) => s.calls.filter((c) => c.method === "PUT");
// Opened: the text is shown and its first check answered, so the editor's mount-time check
// cannot land after (and replace) what a test types next — a race seen under CI load.
const opened = async () => {
  await waitFor(() => expect(editor()).toHaveValue(V4));
  await waitFor(() => expect(status()).toHaveTextContent("No errors"), { timeout: 2000 });
};

describe("the Log page", () => {
  it("opens the current fiscal year's Markdown and says what saving would do", async () => {
    const s = service();
    render(<LogPage api={s.api} me={ME} />);
    expect(screen.getByText(`Loading the log of ${FY}…`)).toBeInTheDocument();
    await opened();
    await waitFor(() => expect(status()).toHaveTextContent("No errors — saving would add 0, change 0, delete 0 entries"));
    const check = s.calls.find((c) => c.path === `/v1/logs/${FY}/check`)!;
    expect(check.query.get("baseVersion")).toBe("4");
    expect(check.headers.get("content-type")).toBe("text/markdown");
    expect(check.body).toBe(V4);
    expect(saveButton()).toBeDisabled(); // nothing to save yet
  });

  it("shows a typed mistake's diagnostic at its line, whose button moves the cursor there; Save waits for the fix", async () => {
    const s = service();
    render(<LogPage api={s.api} me={ME} />);
    await opened();
    type(MISTAKE);
    const list = await screen.findByRole("list", { name: "Findings in the log" }, { timeout: 2000 });
    const item = within(list).getByRole("listitem");
    expect(item).toHaveTextContent('Line 7 Error invalid-time time "25:00" is out of range');
    expect(editor()).toHaveAttribute("data-lint-lines", "7");
    expect(status()).toHaveTextContent("1 error: fix it to save");
    expect(saveButton()).toBeDisabled();

    fireEvent.click(within(item).getByRole("button", { name: "Line 7" }));
    expect(editor()).toHaveFocus();
    expect((editor() as HTMLTextAreaElement).selectionStart).toBe(MISTAKE.indexOf("- **25:00"));

    type(EDITED);
    await waitFor(() => expect(status()).toHaveTextContent("No errors — saving would add 0, change 1, delete 0 entries"), { timeout: 2000 });
    expect(screen.queryByRole("list", { name: "Findings in the log" })).not.toBeInTheDocument();
    expect(saveButton()).toBeEnabled();
  });

  it("checks a moment after the last edit, and a slow answer to older text does not replace a newer one", async () => {
    let release!: () => void;
    const s = service({
      "POST /v1/logs/:fy/check": async (req: Recorded) => {
        const body = String(req.body);
        if (body === MISTAKE) await new Promise<void>((r) => (release = r)); // the older text's answer comes late
        return { body: answer(body, Number(req.query.get("baseVersion"))) };
      },
    });
    render(<LogPage api={s.api} me={ME} />);
    await waitFor(() => expect(status()).toHaveTextContent("No errors"));
    const checks = () => s.calls.filter((c) => c.path.endsWith("/check")).map((c) => c.body);
    type(MISTAKE.slice(0, -5));
    type(MISTAKE); // debounced: only this text of the two is checked
    await waitFor(() => expect(checks()).toEqual([V4, MISTAKE]), { timeout: 2000 });
    type(EDITED);
    await waitFor(() => expect(status()).toHaveTextContent("change 1"), { timeout: 2000 });
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(status()).toHaveTextContent("No errors — saving would add 0, change 1, delete 0 entries");
    expect(screen.queryByText(/invalid-time/)).not.toBeInTheDocument();
    expect(checks()).toEqual([V4, MISTAKE, EDITED]);
  });

  it("saves with the base version and shows the new version and its changes", async () => {
    const s = service({ "PUT /v1/logs/:fy": { body: report({}) } });
    render(<LogPage api={s.api} me={ME} />);
    await opened();
    type(EDITED);
    await waitFor(() => expect(status()).toHaveTextContent("change 1"), { timeout: 2000 });
    s.route("GET /v1/logs/:fy", () => markdown(EDITED, 5));
    fireEvent.click(saveButton());
    expect(await screen.findByText("Saved as version 5: added 0, changed 1, deleted 0 entries.")).toBeInTheDocument();
    const [put] = puts(s);
    expect(put.query.get("baseVersion")).toBe("4");
    expect(put.query.has("allowDeletes")).toBe(false);
    expect(put.body).toBe(EDITED);
    expect(screen.getByText("version 5")).toBeInTheDocument();
    expect(screen.queryByText("unsaved edits")).not.toBeInTheDocument();
  });

  it("on 409 shows both versions, keeps the person's text, and saves it over the current one on request", async () => {
    const THEIRS = V4 + "- **11:00-11:30**: Timer from tm [[Web]]\n";
    const s = service({
      "PUT /v1/logs/:fy": (req: Recorded) =>
        req.query.get("baseVersion") === "4"
          ? { status: 409, body: report({ status: "conflict", logVersion: 6, summary: null, error: { code: "stale-base-version", message: "stale", details: { diagnostics: [] } } as UploadReport["error"] }) }
          : { body: report({ logVersion: 7 }) },
    });
    render(<LogPage api={s.api} me={ME} />);
    await opened();
    type(EDITED);
    await waitFor(() => expect(saveButton()).toBeEnabled());
    s.route("GET /v1/logs/:fy", () => markdown(THEIRS, 6)); // someone saved meanwhile
    fireEvent.click(saveButton());

    const conflict = await screen.findByRole("alert", { name: "The log changed while you were editing" });
    const diff = await within(conflict).findByRole("figure", { name: "The service's current version against yours" });
    expect(diff).toHaveTextContent("theirs (version 6)");
    expect(diff).toHaveTextContent("yours (in the editor)");
    expect(diff).toHaveTextContent("removed: - **09:00-10:00**: Planning [[Web]]");
    expect(diff).toHaveTextContent("removed: - **11:00-11:30**: Timer from tm [[Web]]");
    expect(diff).toHaveTextContent("added: - **09:00-10:00**: Planning the week [[Web]]");
    expect(editor()).toHaveValue(EDITED); // never lost

    fireEvent.click(within(conflict).getByRole("button", { name: "Keep mine and save over it" }));
    expect(await screen.findByText(/^Saved as version \d+/)).toBeInTheDocument();
    const second = puts(s)[1];
    expect(second.query.get("baseVersion")).toBe("6");
    expect(second.body).toBe(EDITED);
  });

  it("on 409, Take theirs puts the current version in the editor", async () => {
    const THEIRS = V4 + "- **11:00-11:30**: Timer from tm [[Web]]\n";
    const s = service({
      "PUT /v1/logs/:fy": { status: 409, body: report({ status: "conflict", logVersion: 6, summary: null }) },
    });
    render(<LogPage api={s.api} me={ME} />);
    await opened();
    type(EDITED);
    await waitFor(() => expect(saveButton()).toBeEnabled());
    s.route("GET /v1/logs/:fy", () => markdown(THEIRS, 6));
    fireEvent.click(saveButton());
    const conflict = await screen.findByRole("alert", { name: "The log changed while you were editing" });
    fireEvent.click(await within(conflict).findByRole("button", { name: "Take theirs" }));
    await waitFor(() => expect(editor()).toHaveValue(THEIRS));
    expect(screen.getByText("version 6")).toBeInTheDocument();
    expect(puts(s)).toHaveLength(1);
  });

  it("asks before deleting most of the year, and saves with allowDeletes once confirmed", async () => {
    const EMPTY = "# Time Log 2026-2027\n";
    const s = service({
      "PUT /v1/logs/:fy": (req: Recorded) =>
        req.query.get("allowDeletes") === "true"
          ? { body: report({ summary: { unchanged: 0, updated: 0, inserted: 0, deleted: 1 } }) }
          : { status: 422, body: report({ status: "rejected", logVersion: null, summary: null, diagnostics: [mostDeleted] }) },
    });
    render(<LogPage api={s.api} me={ME} />);
    await opened();
    type(EMPTY);
    await waitFor(() => expect(status()).toHaveTextContent("Saving would delete most of this year's entries"), { timeout: 2000 });
    expect(saveButton()).toBeEnabled();
    fireEvent.click(saveButton());
    const dialog = await screen.findByRole("alertdialog", { name: `Delete most of the entries of ${FY}?` });
    expect(dialog).toHaveTextContent(mostDeleted.message);
    expect(puts(s)).toHaveLength(1);
    expect(puts(s)[0].query.has("allowDeletes")).toBe(false);
    const confirm = within(dialog).getByRole("button", { name: "Delete them and save" });
    expect(confirm).toHaveFocus();
    fireEvent.click(confirm);
    expect(await screen.findByText("Saved as version 5: added 0, changed 0, deleted 1 entry.")).toBeInTheDocument();
    expect(puts(s)[1].query.get("allowDeletes")).toBe("true");
    expect(puts(s)[1].body).toBe(EMPTY);
  });

  it("lists the versions; choosing one shows its diff against the current version", async () => {
    const V3 = V4.replace("Planning", "Plan");
    const s = service({
      "GET /v1/logs/:fy/versions": {
        body: {
          fiscalYear: FY,
          currentVersion: 4,
          versions: [4, 3].map((v) => ({ version: v, size: null, published: true, createdAt: "2026-12-03T10:00:00Z", url: "" })),
        },
      },
      "GET /v1/logs/:fy": (req: Recorded) => (req.query.get("version") === "3" ? markdown(V3, 3) : markdown(V4, 4)),
    });
    render(<LogPage api={s.api} me={ME} />);
    const history = await screen.findByRole("region", { name: "History" });
    const v3 = await within(history).findByRole("button", { name: /^Version 3/ });
    expect(within(history).getByRole("button", { name: /^Version 4/ })).toHaveTextContent("current");
    fireEvent.click(v3);
    const diff = await within(history).findByRole("figure", { name: "Version 3 against the current version 4" });
    expect(diff).toHaveTextContent("1 added, 1 removed");
    expect(diff).toHaveTextContent("removed: - **09:00-10:00**: Plan [[Web]]");
    expect(diff).toHaveTextContent("added: - **09:00-10:00**: Planning [[Web]]");
  });

  it("offers other years from GET /v1/logs, and a year in the address", async () => {
    window.history.replaceState(null, "", "/log?fy=2025-2026");
    const s = service({ "GET /v1/logs": { body: { logs: [{ fiscalYear: "2024-2025", version: 1, entryCount: 1, lastIngest: null, updatedAt: "", url: "" }] } } });
    render(<LogPage api={s.api} me={ME} />);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Log 2025-2026");
    await waitFor(() => expect(s.calls.some((c) => c.path === "/v1/logs/2025-2026")).toBe(true));
    const picker = screen.getByRole("combobox", { name: "Fiscal year" });
    await waitFor(() =>
      expect(within(picker).getAllByRole("option").map((o) => o.textContent)).toEqual(["2026-2027 (this year)", "2025-2026", "2024-2025"]),
    );
  });
});
