import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MeAnswer } from "../api/client";
import type { components } from "../api/schema";
import type { Auth } from "../auth/auth";
import { Header } from "../components/Header";
import { fakeService, ME } from "../test/fakeService";
import AdminPage from "./Admin";
import { Shell } from "./Shell";

type Person = components["schemas"]["Person"];
type AuditRecord = components["schemas"]["AuditRecord"];

const NOW = new Date("2026-12-04T12:00:00Z");
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

const ADA: MeAnswer = { ...ME, user: "ada", name: "Ada Tester", email: "ada@example.com", isTenantAdmin: true, timeZone: "Europe/Berlin" };
const person = (p: Partial<Person> & { id: string }): Person => ({
  name: null,
  email: `${p.id}@example.com`,
  admin: false,
  status: "active",
  lastSeen: "2026-12-03T08:00:00Z",
  since: "2026-11-01T09:00:00Z",
  ...p,
});
const refusal = (status: number, code: string, message: string) => ({ status, body: { error: { code, message, details: null } } });

/**
 * A directory the admin routes change, as the service does; `audit` answers pages of `size`;
 * `GET /v1/me` answers Ada as the directory has her. `bobAdmin`: Bob is an admin too.
 */
function adminService(opts: { audit?: AuditRecord[]; size?: number; bobAdmin?: boolean } = {}) {
  const people: Person[] = [
    person({ id: "ada", name: "Ada Tester", admin: true }),
    person({ id: "bob", name: "Bob Builder", admin: !!opts.bobAdmin }),
    person({ id: "cy", name: "Cy Invited", status: "invited", lastSeen: null }),
    person({ id: "dee", name: "Dee Gone", status: "removed" }),
  ];
  const audit = opts.audit ?? [];
  const size = opts.size ?? 500;
  const service = fakeService({
    "GET /v1/users": () => ({ body: { tenant: "t-1", people: [...people].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? "")) } }),
    "POST /v1/admin/users": (r) => {
      const b = r.body as { email: string; name: string; admin?: boolean };
      if (!b.email.includes("@")) return refusal(422, "invalid-email", `"${b.email}" is not an email address like ada@example.com`);
      const existing = people.find((p) => p.email === b.email);
      if (existing && existing.status !== "invited") return refusal(409, "already-in-tenant", `${b.email} is already in your tenant`);
      const p = existing ?? person({ id: `id-${people.length}`, name: b.name, email: b.email, status: "invited", lastSeen: null, admin: !!b.admin });
      if (!existing) people.push(p);
      return { status: existing ? 200 : 201, body: { person: p, invitation: { sentBy: "link", link: `http://tm.test/local/invitations/tok-${people.length}` } } };
    },
    "PATCH /v1/admin/users/:id": (r, [id]) => {
      const p = people.find((x) => x.id === id)!;
      const b = r.body as { admin?: boolean; disabled?: boolean; name?: string };
      const otherAdmin = people.some((x) => x.id !== id && x.admin && x.status === "active");
      if (p.admin && !otherAdmin && (b.admin === false || b.disabled))
        return refusal(409, "last-admin", "this is your tenant's last active administrator; make someone else an admin first");
      if (b.admin !== undefined) p.admin = b.admin;
      if (b.disabled !== undefined) p.status = b.disabled ? "disabled" : "active";
      if (b.name !== undefined) p.name = b.name;
      return { body: p };
    },
    "DELETE /v1/admin/users/:id": (_r, [id]) => {
      people.find((x) => x.id === id)!.status = "removed";
      return { status: 204 };
    },
    "GET /v1/me": () => {
      const ada = people.find((x) => x.id === "ada")!;
      return { body: { ...ADA, name: ada.name, isTenantAdmin: ada.admin } };
    },
    "GET /v1/audit": (r) => {
      const from = r.query.get("from")!;
      const to = r.query.get("to")!;
      const inRange = audit.filter((a) => a.at.slice(0, 10) >= from && a.at.slice(0, 10) <= to).sort((a, b) => a.at.localeCompare(b.at));
      const at = Number(r.query.get("cursor") ?? 0);
      return { body: { from, to, scope: "tenant", records: inRange.slice(at, at + size), nextCursor: at + size < inRange.length ? String(at + size) : null } };
    },
  });
  return { ...service, people };
}

function show(service = adminService(), me: MeAnswer = ADA) {
  const user = userEvent.setup();
  render(<AdminPage api={service.api} me={me} />);
  return { user, service };
}

const section = (name: string) => within(screen.getByRole("heading", { level: 2, name }).closest("section")!);
const row = (name: string) => within(screen.getByRole("heading", { level: 3, name: new RegExp(`^${name}`) }).closest("li")!);

describe("the Admin page", () => {
  it("shows a person who is not a tenant admin a plain message, and asks the service nothing", () => {
    const service = adminService();
    show(service, { ...ADA, isTenantAdmin: false });
    expect(screen.getByText("Only your tenant’s admins can see this page.")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(service.calls).toEqual([]);
  });

  it("is linked in the header for tenant admins only", () => {
    const { rerender } = render(<Header name="Ada" onSignOut={() => {}} current="settings" isAdmin />);
    const nav = screen.getByRole("navigation", { name: "Pages" });
    expect(within(nav).getAllByRole("link").map((a) => a.textContent)).toEqual(expect.arrayContaining(["Settings", "Admin"]));
    expect(within(nav).getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
    rerender(<Header name="Ivy" onSignOut={() => {}} current="settings" />);
    expect(within(nav).queryByRole("link", { name: "Admin" })).toBeNull();
  });

  it("lists the people with status, admin, last seen and since (in the person's zone), filtered by status and search", async () => {
    const { user } = show();
    const people = section("People");
    expect(await people.findByText("4 people")).toBeInTheDocument();
    const ada = row("Ada Tester");
    expect(ada.getByText("you")).toBeInTheDocument();
    expect(ada.getByText("admin")).toBeInTheDocument();
    expect(ada.getByText("active")).toBeInTheDocument();
    expect(ada.getByText(/3.*2026.*09:00/)).toBeInTheDocument(); // last seen 08:00 UTC, in Berlin
    expect(ada.getByText(/1.*2026.*10:00/)).toBeInTheDocument(); // since
    expect(row("Cy Invited").getByText("never")).toBeInTheDocument();
    expect(row("Dee Gone").queryAllByRole("button")).toEqual([]);

    await user.selectOptions(people.getByRole("combobox", { name: "Status" }), "invited");
    expect(people.getByText("1 of 4 people")).toBeInTheDocument();
    expect(people.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Cy Invited"]);
    await user.selectOptions(people.getByRole("combobox", { name: "Status" }), "");
    await user.type(people.getByRole("textbox", { name: "Search by name or email" }), "BOB@");
    expect(people.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Bob Builder"]);
  });

  it("invites someone and shows the link to pass on, with Copy; the new person is listed", async () => {
    const { user, service } = show();
    await section("People").findByText("4 people");
    const form = within(screen.getByRole("form", { name: "Invite someone" }));
    await user.type(form.getByRole("textbox", { name: "Name" }), "Hedy Admin");
    await user.type(form.getByRole("textbox", { name: /^Email/ }), "hedy@example.com");
    await user.click(form.getByRole("checkbox", { name: "Also make them an admin of the tenant" }));
    await user.click(form.getByRole("button", { name: "Invite" }));
    const sent = await screen.findByRole("region", { name: "Invitation sent" });
    expect(sent).toHaveFocus();
    expect(sent).toHaveTextContent("Hedy Admin is invited (hedy@example.com)");
    const link = within(sent).getByRole("textbox", { name: "Invitation link for Hedy Admin" });
    expect(link).toHaveValue("http://tm.test/local/invitations/tok-5");
    await user.click(within(sent).getByRole("button", { name: "Copy link" }));
    expect(await navigator.clipboard.readText()).toBe("http://tm.test/local/invitations/tok-5");
    expect(within(sent).getByText("Copied.")).toBeInTheDocument();
    expect(service.writes()[0].body).toEqual({ email: "hedy@example.com", name: "Hedy Admin", admin: true });
    expect(await section("People").findByText("5 people")).toBeInTheDocument();
    expect(row("Hedy Admin").getByText("invited")).toBeInTheDocument();
    // The form is empty again.
    expect(form.getByRole("textbox", { name: "Name" })).toHaveValue("");
  });

  it("says an invitation went again when the person had been invited (200)", async () => {
    const { user } = show();
    const form = within(screen.getByRole("form", { name: "Invite someone" }));
    await user.type(form.getByRole("textbox", { name: "Name" }), "Cy Invited");
    await user.type(form.getByRole("textbox", { name: /^Email/ }), "cy@example.com");
    await user.click(form.getByRole("button", { name: "Invite" }));
    const sent = await screen.findByRole("region", { name: "Invitation sent" });
    expect(sent).toHaveTextContent("Cy Invited was invited again");
    expect(sent).toHaveTextContent("the earlier one no longer works");
  });

  it("shows the service's refusal of an invitation as worded, next to the form, with the field marked", async () => {
    const { user } = show();
    const form = within(screen.getByRole("form", { name: "Invite someone" }));
    await user.type(form.getByRole("textbox", { name: "Name" }), "Nobody");
    await user.type(form.getByRole("textbox", { name: /^Email/ }), "not-an-email");
    await user.click(form.getByRole("button", { name: "Invite" }));
    const alert = await form.findByRole("alert");
    expect(alert).toHaveTextContent('"not-an-email" is not an email address like ada@example.com');
    expect(alert).toHaveTextContent("invalid-email");
    expect(form.getByRole("textbox", { name: /^Email/ })).toHaveAttribute("aria-invalid", "true");
    expect(form.getByRole("textbox", { name: "Name" })).not.toHaveAttribute("aria-invalid");
    expect(screen.queryByRole("region", { name: "Invitation sent" })).toBeNull();
    // As typed, to fix.
    expect(form.getByRole("textbox", { name: /^Email/ })).toHaveValue("not-an-email");
  });

  it("makes someone an admin and back, and shows last-admin as worded", async () => {
    const { user, service } = show();
    await section("People").findByText("4 people");
    await user.click(row("Bob Builder").getByRole("button", { name: "Make admin (Bob Builder)" }));
    await waitFor(() => expect(row("Bob Builder").getByText("admin")).toBeInTheDocument());
    expect(screen.getByRole("heading", { level: 3, name: /^Bob Builder/ })).toHaveFocus();
    await user.click(row("Bob Builder").getByRole("button", { name: "Remove admin (Bob Builder)" }));
    await waitFor(() => expect(row("Bob Builder").queryByText("admin")).toBeNull());
    expect(service.writes().map((w) => [w.method, w.path, w.body])).toEqual([
      ["PATCH", "/v1/admin/users/bob", { admin: true }],
      ["PATCH", "/v1/admin/users/bob", { admin: false }],
    ]);

    await user.click(row("Ada Tester").getByRole("button", { name: "Remove admin (Ada Tester)" }));
    const alert = await row("Ada Tester").findByRole("alert");
    expect(alert).toHaveTextContent("this is your tenant's last active administrator; make someone else an admin first");
    expect(alert).toHaveTextContent("last-admin");
    expect(row("Ada Tester").getByText("admin")).toBeInTheDocument();
  });

  it("disables someone only after asking (it signs them out everywhere), and enables them again", async () => {
    const { user, service } = show();
    await section("People").findByText("4 people");
    await user.click(row("Bob Builder").getByRole("button", { name: "Disable Bob Builder" }));
    const confirm = row("Bob Builder").getByRole("alertdialog", { name: "Disable Bob Builder?" });
    expect(confirm).toHaveAccessibleDescription(/signs them out everywhere/);
    expect(within(confirm).getByRole("button", { name: "Disable Bob Builder" })).toHaveFocus();
    await user.click(within(confirm).getByRole("button", { name: "Keep them enabled" }));
    expect(service.writes()).toEqual([]);
    await waitFor(() => expect(screen.getByRole("heading", { level: 3, name: /^Bob Builder/ })).toHaveFocus());
    // Escape keeps them enabled too.
    await user.click(row("Bob Builder").getByRole("button", { name: "Disable Bob Builder" }));
    await user.keyboard("{Escape}");
    expect(row("Bob Builder").queryByRole("alertdialog")).toBeNull();
    await waitFor(() => expect(screen.getByRole("heading", { level: 3, name: /^Bob Builder/ })).toHaveFocus());
    expect(service.writes()).toEqual([]);
    await user.click(row("Bob Builder").getByRole("button", { name: "Disable Bob Builder" }));
    await user.click(within(row("Bob Builder").getByRole("alertdialog")).getByRole("button", { name: "Disable Bob Builder" }));
    await waitFor(() => expect(row("Bob Builder").getByText("disabled")).toBeInTheDocument());
    await user.click(row("Bob Builder").getByRole("button", { name: "Enable Bob Builder" }));
    await waitFor(() => expect(row("Bob Builder").getByText("active")).toBeInTheDocument());
    expect(service.writes().map((w) => w.body)).toEqual([{ disabled: true }, { disabled: false }]);
  });

  it("removes someone only after asking (entries stay, shared projects left); they show as removed", async () => {
    const { user, service } = show();
    await section("People").findByText("4 people");
    await user.click(row("Bob Builder").getByRole("button", { name: "Remove Bob Builder" }));
    const confirm = row("Bob Builder").getByRole("alertdialog", { name: "Remove Bob Builder from the tenant?" });
    expect(confirm).toHaveAccessibleDescription(/they leave every shared project/);
    expect(confirm).toHaveAccessibleDescription(/Their entries stay/);
    await user.click(within(confirm).getByRole("button", { name: "Remove Bob Builder" }));
    await waitFor(() => expect(row("Bob Builder").getByText("removed")).toBeInTheDocument());
    expect(row("Bob Builder").queryAllByRole("button")).toEqual([]);
    expect(service.writes().map((w) => [w.method, w.path])).toEqual([["DELETE", "/v1/admin/users/bob"]]);
  });

  it("renames someone", async () => {
    const { user, service } = show();
    await section("People").findByText("4 people");
    await user.click(row("Bob Builder").getByRole("button", { name: "Rename Bob Builder" }));
    const form = within(screen.getByRole("form", { name: "Rename Bob Builder" }));
    const input = form.getByRole("textbox", { name: "Name" });
    expect(input).toHaveFocus();
    await user.clear(input);
    await user.type(input, "Robert Builder");
    await user.click(form.getByRole("button", { name: "Save name" }));
    expect(await screen.findByRole("heading", { level: 3, name: /^Robert Builder/ })).toBeInTheDocument();
    expect(service.writes()[0].body).toEqual({ name: "Robert Builder" });
  });
});

describe("changing people on the Admin page", () => {
  it("does not offer Disable or Remove on your own row, and says who does", async () => {
    show();
    await section("People").findByText("4 people");
    const ada = row("Ada Tester");
    expect(ada.queryByRole("button", { name: /^Disable/ })).toBeNull();
    expect(ada.queryByRole("button", { name: /^Remove Ada/ })).toBeNull();
    expect(ada.getByText("Another admin disables or removes your own account.")).toBeInTheDocument();
    expect(ada.getByRole("button", { name: "Rename Ada Tester" })).toBeInTheDocument();
    expect(row("Bob Builder").getByRole("button", { name: "Disable Bob Builder" })).toBeInTheDocument();
    expect(row("Bob Builder").getByRole("button", { name: "Remove Bob Builder" })).toBeInTheDocument();
  });

  it("says when the people could not be refreshed, keeping the list shown", async () => {
    const service = adminService();
    const { user } = show(service);
    const people = section("People");
    await people.findByText("4 people");
    service.route("GET /v1/users", refusal(503, "store-unavailable", "the store is not answering; try again"));
    await user.click(people.getByRole("button", { name: "Refresh" }));
    const alert = await people.findByRole("alert");
    expect(alert).toHaveTextContent("The people could not be refreshed");
    expect(alert).toHaveTextContent("the store is not answering; try again");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
    expect(people.getByText("4 people")).toBeInTheDocument();
    expect(row("Bob Builder").getByText("active")).toBeInTheDocument();
  });

  it("moves focus to the list's heading when the changed person no longer matches the filter", async () => {
    const { user } = show();
    const people = section("People");
    await people.findByText("4 people");
    await user.selectOptions(people.getByRole("combobox", { name: "Status" }), "active");
    await user.click(row("Bob Builder").getByRole("button", { name: "Disable Bob Builder" }));
    await user.click(within(row("Bob Builder").getByRole("alertdialog")).getByRole("button", { name: "Disable Bob Builder" }));
    await waitFor(() => expect(screen.queryByRole("heading", { level: 3, name: /^Bob Builder/ })).toBeNull());
    await waitFor(() => expect(screen.getByRole("heading", { level: 2, name: "People" })).toHaveFocus());
    expect(people.getByRole("status")).toHaveTextContent("Bob Builder is disabled and signed out everywhere.");
  });
});

describe("changing yourself on the Admin page (in the Shell)", () => {
  const auth = { claims: () => ({}), signOut: vi.fn() } as unknown as Auth;
  const nav = () => within(screen.getByRole("navigation", { name: "Pages" }));

  async function showShell(service = adminService({ bobAdmin: true })) {
    const user = userEvent.setup();
    render(<Shell api={service.api} auth={auth} page="admin" />);
    await screen.findByRole("heading", { level: 2, name: "People" });
    await section("People").findByText("4 people");
    return { user, service };
  }

  it("an admin who removes their own admin standing loses the Admin link and the page's controls", async () => {
    const { user } = await showShell();
    expect(nav().getByRole("link", { name: "Admin" })).toBeInTheDocument();
    await user.click(row("Ada Tester").getByRole("button", { name: "Remove admin (Ada Tester)" }));
    await waitFor(() => expect(nav().queryByRole("link", { name: "Admin" })).toBeNull());
    expect(screen.getByText("Only your tenant’s admins can see this page.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Make admin|Remove admin/ })).toBeNull();
  });

  it("renaming yourself shows the new name in the header", async () => {
    const { user } = await showShell();
    expect(screen.getByRole("banner")).toHaveTextContent("Ada Tester");
    await user.click(row("Ada Tester").getByRole("button", { name: "Rename Ada Tester" }));
    const input = within(screen.getByRole("form", { name: "Rename Ada Tester" })).getByRole("textbox", { name: "Name" });
    await user.clear(input);
    await user.type(input, "Ada Lovelace");
    await user.click(screen.getByRole("button", { name: "Save name" }));
    await waitFor(() => expect(screen.getByRole("banner")).toHaveTextContent("Ada Lovelace"));
    expect(screen.getByRole("banner")).not.toHaveTextContent("Ada Tester");
  });

  it("keeps the page when your settings cannot be read again after a change, saying so", async () => {
    const { user, service } = await showShell();
    service.route("GET /v1/me", refusal(503, "store-unavailable", "the store is not answering; try again"));
    await user.click(row("Ada Tester").getByRole("button", { name: "Rename Ada Tester" }));
    const input = within(screen.getByRole("form", { name: "Rename Ada Tester" })).getByRole("textbox", { name: "Name" });
    await user.clear(input);
    await user.type(input, "Ada Lovelace");
    await user.click(screen.getByRole("button", { name: "Save name" }));
    const notice = await screen.findByText("Your settings could not be read again: the page shows them as they were.");
    expect(notice.closest("[role=alert]")).toHaveTextContent("the store is not answering; try again");
    // The rename went through and the page is still there.
    expect(await screen.findByRole("heading", { level: 3, name: /^Ada Lovelace/ })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Admin" })).toBeInTheDocument();
    expect(screen.queryByText("Your settings could not be loaded.")).toBeNull();
  });
});

let seq = 0;
const record = (at: string, r: Partial<AuditRecord> = {}): AuditRecord => ({
  id: `a-${++seq}`,
  at,
  tenant: "t-1",
  actor: "ada",
  actorName: "Ada Tester",
  subject: "ada",
  subjectName: "Ada Tester",
  action: "entry.create",
  target: "e-1",
  before: null,
  after: { task: "Something" },
  ...r,
});

describe("the audit log", () => {
  const hedy = { subject: "hedy", subjectName: "Hedy Admin", target: "hedy" };
  const AUDIT = [
    record("2026-12-04T10:00:00Z", { action: "user.invite", ...hedy, after: { name: "Hedy Admin", admin: false } }),
    record("2026-12-04T10:05:00Z", { action: "user.update", ...hedy, before: { admin: false, status: "active" }, after: { admin: true, status: "active" } }),
    record("2026-12-04T10:10:00Z", { action: "user.delete", ...hedy, after: null }),
    record("2026-12-02T09:00:00Z", { actor: "bob", actorName: "Bob Builder", subject: "bob", subjectName: "Bob Builder" }),
    record("2026-11-10T09:00:00Z", { action: "settings.update", target: "me", before: { timeZone: "UTC" }, after: { timeZone: "Europe/Berlin" } }),
  ];

  const items = () => within(section("Audit log").getByRole("list")).getAllByRole("listitem");
  // Each record's sentence: its first paragraph.
  const lines = () => items().map((li) => within(li).getAllByRole("paragraph")[0].textContent);

  it("shows records newest first, in the person's zone, by name, with what changed and a details disclosure", async () => {
    const { user } = show(adminService({ audit: AUDIT, size: 2 }));
    await waitFor(() => expect(lines()).toHaveLength(5));
    expect(lines()).toEqual([
      "Ada Tester removed Hedy Admin",
      "Ada Tester changed Hedy Admin",
      "Ada Tester invited Hedy Admin",
      "Bob Builder added an entry",
      "Ada Tester changed settings",
    ]);
    const update = within(items()[1]);
    expect(update.getByText(/4.*2026.*11:05/)).toBeInTheDocument(); // 10:05 UTC, in Berlin
    expect(update.getByText("made an admin")).toBeInTheDocument();
    await user.click(update.getByText("Before and after"));
    expect(items()[1].querySelector("details")).toHaveAttribute("open");
    expect(update.getAllByText(/"admin": (true|false)/)).toHaveLength(2);
    expect(within(items()[2]).queryByText("Before and after")).toBeInTheDocument(); // after only
    expect(within(items()[0]).queryByText("Before and after")).toBeNull(); // neither
  });

  it("filters by action and by person over what was read", async () => {
    const { user } = show(adminService({ audit: AUDIT }));
    await waitFor(() => expect(lines()).toHaveLength(5));
    const log = section("Audit log");
    await user.selectOptions(log.getByRole("combobox", { name: "Action" }), "user.update");
    expect(lines()).toEqual(["Ada Tester changed Hedy Admin"]);
    expect(log.getByText(/^1 of 5 records/)).toBeInTheDocument();
    await user.selectOptions(log.getByRole("combobox", { name: "Action" }), "");
    await user.selectOptions(log.getByRole("combobox", { name: "Person" }), "Bob Builder");
    expect(lines()).toEqual(["Bob Builder added an entry"]);
  });

  it("narrows to a date range, asking the service for those days (and a day either side, for the zone)", async () => {
    const { user, service } = show(adminService({ audit: AUDIT }));
    await waitFor(() => expect(lines()).toHaveLength(5));
    const log = section("Audit log");
    await user.clear(log.getByLabelText("From"));
    await user.type(log.getByLabelText("From"), "2026-12-02");
    await user.clear(log.getByLabelText("To"));
    await user.type(log.getByLabelText("To"), "2026-12-02");
    await user.click(log.getByRole("button", { name: "Show these dates" }));
    await waitFor(() => expect(lines()).toEqual(["Bob Builder added an entry"]));
    const last = service.calls.filter((c) => c.path === "/v1/audit").at(-1)!;
    expect([last.query.get("from"), last.query.get("to")]).toEqual(["2026-12-01", "2026-12-03"]);

    await user.clear(log.getByLabelText("From"));
    await user.type(log.getByLabelText("From"), "2026-12-03");
    await user.click(log.getByRole("button", { name: "Show these dates" }));
    expect(log.getByRole("alert")).toHaveTextContent("“From” is after “To”.");
  });

  it("loads older records with Load more while the range has more, focusing the first new one", async () => {
    // Many records this week: the first read stops after this week; the November one waits.
    const many = Array.from({ length: 60 }, (_, i) => record(`2026-12-03T${String(Math.floor(i / 6) + 8).padStart(2, "0")}:${String((i % 6) * 10).padStart(2, "0")}:00Z`));
    const { user } = show(adminService({ audit: [...many, AUDIT[4]], size: 25 }));
    await waitFor(() => expect(items()).toHaveLength(60));
    const log = section("Audit log");
    expect(log.getByText("60 records from 2026-11-28 to 2026-12-04; older ones back to 2026-11-05 with Load more.")).toBeInTheDocument();
    await user.click(log.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(items()).toHaveLength(61));
    expect(lines()[60]).toBe("Ada Tester changed settings");
    await waitFor(() => expect(items()[60]).toHaveFocus());
    expect(log.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(log.getByText("61 records from 2026-11-05 to 2026-12-04.")).toBeInTheDocument();
  });

  it("says a filter searches only the loaded records while older weeks are unread", async () => {
    const many = Array.from({ length: 60 }, (_, i) => record(`2026-12-03T${String(Math.floor(i / 6) + 8).padStart(2, "0")}:${String((i % 6) * 10).padStart(2, "0")}:00Z`));
    const bob = record("2026-12-03T20:00:00Z", { actor: "bob", actorName: "Bob Builder", subject: "bob", subjectName: "Bob Builder", action: "entry.delete", after: null });
    const { user } = show(adminService({ audit: [...many, bob, AUDIT[4]], size: 25 }));
    await waitFor(() => expect(items()).toHaveLength(61));
    const log = section("Audit log");
    await user.selectOptions(log.getByRole("combobox", { name: "Action" }), "entry.create");
    expect(log.getByText("60 of 61 records match, among those loaded (2026-11-28 to 2026-12-04) — Load more reads older weeks, back to 2026-11-05.")).toBeInTheDocument();
    await user.selectOptions(log.getByRole("combobox", { name: "Person" }), "Bob Builder");
    expect(log.getByText("No changes match among the 61 records loaded — Load more reads older weeks.")).toBeInTheDocument();
    // Once every week is read, a filter that matches nothing says just that.
    await user.selectOptions(log.getByRole("combobox", { name: "Person" }), "");
    await user.click(log.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(log.queryByRole("button", { name: "Load more" })).toBeNull());
    await user.selectOptions(log.getByRole("combobox", { name: "Person" }), "Bob Builder");
    expect(log.getByText("No changes match.")).toBeInTheDocument();
    expect(log.getByText("0 of 62 records from 2026-11-05 to 2026-12-04.")).toBeInTheDocument();
  });

  it("after Load more with a filter, focuses the first new record that matches (not a position in all records)", async () => {
    const many = Array.from({ length: 60 }, (_, i) => record(`2026-12-03T${String(Math.floor(i / 6) + 8).padStart(2, "0")}:${String((i % 6) * 10).padStart(2, "0")}:00Z`));
    const bob = record("2026-12-03T20:00:00Z", { actor: "bob", actorName: "Bob Builder", subject: "bob", subjectName: "Bob Builder" });
    const older = record("2026-11-10T10:00:00Z", { actor: "bob", actorName: "Bob Builder", subject: "bob", subjectName: "Bob Builder", action: "entry.delete", after: null });
    const { user } = show(adminService({ audit: [...many, bob, older], size: 25 }));
    await waitFor(() => expect(items()).toHaveLength(61));
    const log = section("Audit log");
    await user.selectOptions(log.getByRole("combobox", { name: "Person" }), "Bob Builder");
    expect(lines()).toEqual(["Bob Builder added an entry"]);
    await user.click(log.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(lines()).toEqual(["Bob Builder added an entry", "Bob Builder deleted an entry"]));
    await waitFor(() => expect(items()[1]).toHaveFocus());
    expect(log.getByText("2 of 62 records from 2026-11-05 to 2026-12-04.")).toBeInTheDocument();
  });

  it("names a person the record leaves unnamed from the directory, else by id, never blank", async () => {
    const unnamed = [
      record("2026-12-04T09:00:00Z", { actor: "bob", actorName: null, subject: "bob", subjectName: "" }),
      record("2026-12-04T08:00:00Z", { actor: "zed", actorName: null, subject: "zed", subjectName: null }),
    ];
    show(adminService({ audit: unnamed }));
    await waitFor(() => expect(lines()).toEqual(["Bob Builder added an entry", "zed added an entry"]));
  });

  it("shows the service's error with Try again", async () => {
    const service = adminService();
    service.route("GET /v1/audit", refusal(503, "store-unavailable", "the store is not answering; try again"));
    show(service);
    const alert = await section("Audit log").findByRole("alert");
    expect(alert).toHaveTextContent("the store is not answering; try again");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
