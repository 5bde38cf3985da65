import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { MeAnswer } from "../api/client";
import type { Auth } from "../auth/auth";
import { isValidTimeZone } from "../lib/time";
import { fakeService, ME } from "../test/fakeService";
import { SettingsPage } from "./Settings";
import { Shell } from "./Shell";

const ADA: MeAnswer = { ...ME, name: "Ada Tester", email: "ada@example.com", isTenantAdmin: true, suppressedProjects: ["Unproductive"] };
const PROJECTS = {
  projects: [
    { name: "Web App", status: "active" },
    { name: "Research", status: "active" },
    { name: "Atlas", status: "active", shared: { owner: "o-1", role: "contributor", members: 2, logAs: "o-1/Atlas" } },
  ],
};
const person = (id: string, name: string | null, email: string | null) => ({
  id,
  name,
  email,
  admin: false,
  status: "active",
  lastSeen: null,
  since: "2026-11-01T09:00:00Z",
});
const USERS = { tenant: "t-1", people: [person("o-1", "Olga Owner", "olga@example.com"), person("u-1", "Ada Tester", "ada@example.com")] };

/** A service that keeps the person's settings and answers them, as `PATCH /v1/me` does. */
function settingsService(initial: MeAnswer = ADA) {
  let me = { ...initial };
  const service = fakeService({
    "GET /v1/me": () => ({ body: me }),
    "GET /v1/projects": { body: PROJECTS },
    "GET /v1/users": { body: USERS },
    "PATCH /v1/me": (r) => {
      const body = r.body as Partial<MeAnswer>;
      if (body.timeZone && !isValidTimeZone(body.timeZone)) {
        return {
          status: 400,
          body: { error: { code: "invalid-time-zone", message: `unknown time zone "${body.timeZone}"; use an IANA name such as UTC or Europe/Berlin`, details: null } },
        };
      }
      if (body.fiscalYearStartMonth !== undefined && !me.isTenantAdmin) {
        return { status: 403, body: { error: { code: "admin-only", message: "only tenant admins change the fiscal year", details: null } } };
      }
      me = { ...me, ...body };
      return { body: me };
    },
  });
  /** A change made elsewhere (another tab, another device). */
  const elsewhere = (patch: Partial<MeAnswer>) => (me = { ...me, ...patch });
  return { ...service, me: () => me, elsewhere };
}

function show(me: MeAnswer = ADA, service = settingsService(me)) {
  const user = userEvent.setup();
  const onMe = vi.fn();
  const onSignOut = vi.fn();
  const view = render(<SettingsPage api={service.api} me={me} onMe={onMe} onSignOut={onSignOut} />);
  return { user, onMe, onSignOut, service, view };
}

/** The Settings page in the Shell, whose shared `me` the page's saves change (the header shows it too). */
async function showInShell(service = settingsService()) {
  const user = userEvent.setup();
  const auth = { claims: () => ({}), signOut: vi.fn() } as unknown as Auth;
  render(<Shell api={service.api} auth={auth} page="settings" />);
  await screen.findByRole("heading", { level: 1, name: "Settings" });
  return { user, service };
}

const card = (name: string) => screen.getByRole("heading", { level: 2, name }).closest("section")!;

describe("the Settings page", () => {
  it("shows who the person is, and Sign out signs out", async () => {
    const { user, onSignOut } = show();
    const you = card("You");
    expect(you).toHaveTextContent("Ada Tester");
    expect(you).toHaveTextContent("ada@example.com");
    expect(you).toHaveTextContent("t-1");
    await user.click(within(you).getByRole("button", { name: "Sign out" }));
    expect(onSignOut).toHaveBeenCalledTimes(1);
  });

  it("saves a new time zone, picked from the browser's list, and shows the service's answer as the person's settings", async () => {
    const { user, service } = await showInShell();
    const tz = within(card("Time zone"));
    const input = tz.getByRole("combobox", { name: "Time zone" });
    expect(input).toHaveValue("UTC");
    const list = document.getElementById(input.getAttribute("list")!)!;
    expect(list.querySelector('option[value="Europe/Berlin"]')).not.toBeNull();
    expect(tz.getByRole("button", { name: "Save time zone" })).toBeDisabled();
    await user.clear(input);
    await user.type(input, "Europe/Berlin");
    await user.click(tz.getByRole("button", { name: "Save time zone" }));
    expect(await tz.findByText("Saved: your time zone is Europe/Berlin.")).toBeInTheDocument();
    expect(service.writes().map((w) => [w.method, w.path, w.body])).toEqual([["PATCH", "/v1/me", { timeZone: "Europe/Berlin" }]]);
    // What the page shows as the zone now is the saved one.
    expect(tz.getByText("Europe/Berlin", { selector: "strong" })).toBeInTheDocument();
    expect(tz.getByRole("button", { name: "Save time zone" })).toBeDisabled();
  });

  it("shows the service's refusal of a zone as worded, marking the field", async () => {
    const { user, onMe } = show();
    const tz = within(card("Time zone"));
    const input = tz.getByRole("combobox", { name: "Time zone" });
    await user.clear(input);
    await user.type(input, "Mars/Olympus");
    await user.click(tz.getByRole("button", { name: "Save time zone" }));
    const alert = await tz.findByRole("alert");
    expect(alert).toHaveTextContent('unknown time zone "Mars/Olympus"; use an IANA name such as UTC or Europe/Berlin');
    expect(alert).toHaveTextContent("invalid-time-zone");
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(onMe).not.toHaveBeenCalled();
  });

  it("offers the browser's own zone when it is not the one set", async () => {
    const zone = vi.spyOn(Intl.DateTimeFormat.prototype, "resolvedOptions").mockReturnValue({
      ...new Intl.DateTimeFormat().resolvedOptions(),
      timeZone: "America/Chicago",
    });
    try {
      const { user } = show();
      const tz = within(card("Time zone"));
      await user.click(tz.getByRole("button", { name: "Use this browser’s zone (America/Chicago)" }));
      expect(tz.getByRole("combobox", { name: "Time zone" })).toHaveValue("America/Chicago");
    } finally {
      zone.mockRestore();
    }
  });

  it("suppresses a project chosen from the person's projects, as a chip, and removes it again", async () => {
    const { user, service } = await showInShell();
    const c = within(card("Suppressed projects"));
    expect(c.getByText(/left out of your fiscal-year and “since” reports/)).toBeInTheDocument();
    const chips = c.getByRole("list", { name: "Suppressed projects" });
    expect(within(chips).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Unproductive×"]);
    const select = c.getByRole("combobox", { name: "Project to suppress" });
    await waitFor(() => expect(select).toBeEnabled());
    // A shared project is named with its owner, never by the owner's id.
    await waitFor(() =>
      expect(within(select).getAllByRole("option").map((o) => o.textContent)).toEqual([
        "Choose a project…",
        "Atlas (Olga Owner’s)",
        "Research",
        "Web App",
      ]),
    );
    await user.selectOptions(select, "Web App");
    await user.click(c.getByRole("button", { name: "Suppress" }));
    expect(await c.findByText("Web App is now left out of reports.")).toBeInTheDocument();
    expect(service.me().suppressedProjects).toEqual(["Unproductive", "Web App"]);
    expect(within(chips).getByText("Web App")).toBeInTheDocument();
    expect(within(select).queryByRole("option", { name: "Web App" })).toBeNull();
    await waitFor(() => expect(select).toHaveFocus());

    await user.click(within(chips).getByRole("button", { name: "Stop suppressing Web App" }));
    expect(await c.findByText("Web App is counted in reports again.")).toBeInTheDocument();
    expect(service.me().suppressedProjects).toEqual(["Unproductive"]);
    expect(within(chips).queryByText("Web App")).toBeNull();
  });

  it("suppresses a shared project by its log-as name, shown with its owner's name", async () => {
    const { user, service } = await showInShell();
    const c = within(card("Suppressed projects"));
    const select = c.getByRole("combobox", { name: "Project to suppress" });
    await waitFor(() => expect(within(select).getByRole("option", { name: "Atlas (Olga Owner’s)" })).toBeInTheDocument());
    await user.selectOptions(select, "Atlas (Olga Owner’s)");
    await user.click(c.getByRole("button", { name: "Suppress" }));
    expect(await c.findByText("Atlas (Olga Owner’s) is now left out of reports.")).toBeInTheDocument();
    expect(service.me().suppressedProjects).toEqual(["Unproductive", "o-1/Atlas"]);
    const chips = c.getByRole("list", { name: "Suppressed projects" });
    expect(within(chips).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Unproductive×", "Atlas (Olga Owner’s)×"]);
    expect(c.queryByText(/o-1/)).toBeNull();
    expect(within(chips).getByRole("button", { name: "Stop suppressing Atlas (Olga Owner’s)" })).toBeInTheDocument();
  });

  it("keeps a project suppressed elsewhere meanwhile when suppressing or unsuppressing another", async () => {
    const { user, service } = await showInShell();
    const c = within(card("Suppressed projects"));
    const chips = () => within(c.getByRole("list", { name: "Suppressed projects" }));
    const select = c.getByRole("combobox", { name: "Project to suppress" });
    await waitFor(() => expect(select).toBeEnabled());
    // In another tab, Research is suppressed; this page still shows only Unproductive.
    service.elsewhere({ suppressedProjects: ["Unproductive", "Research"] });
    expect(chips().getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Unproductive×"]);
    await user.selectOptions(select, "Web App");
    await user.click(c.getByRole("button", { name: "Suppress" }));
    expect(await c.findByText("Web App is now left out of reports.")).toBeInTheDocument();
    expect(chips().getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Unproductive×", "Research×", "Web App×"]);
    expect(service.me().suppressedProjects).toEqual(["Unproductive", "Research", "Web App"]);

    // Elsewhere again: Atlas is suppressed, Research no longer; removing Unproductive keeps both changes.
    service.elsewhere({ suppressedProjects: ["Unproductive", "Web App", "o-1/Atlas"] });
    await user.click(chips().getByRole("button", { name: "Stop suppressing Unproductive" }));
    expect(await c.findByText("Unproductive is counted in reports again.")).toBeInTheDocument();
    expect(chips().getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Web App×", "Atlas (Olga Owner’s)×"]);
    expect(service.me().suppressedProjects).toEqual(["Web App", "o-1/Atlas"]);
  });

  it("after a save, the rest of the app shows the service's answer (the header's name too)", async () => {
    // The service answers the PATCH with a fuller `me` (its name changed meanwhile): the header follows the answer.
    const service = settingsService();
    const { user } = await showInShell(service);
    expect(screen.getByRole("banner")).toHaveTextContent("Ada Tester");
    service.elsewhere({ name: "Ada Lovelace" });
    const tz = within(card("Time zone"));
    await user.clear(tz.getByRole("combobox", { name: "Time zone" }));
    await user.type(tz.getByRole("combobox", { name: "Time zone" }), "Europe/Berlin");
    await user.click(tz.getByRole("button", { name: "Save time zone" }));
    expect(await tz.findByText("Saved: your time zone is Europe/Berlin.")).toBeInTheDocument();
    expect(screen.getByRole("banner")).toHaveTextContent("Ada Lovelace");
    expect(within(card("You")).getByText("Ada Lovelace")).toBeInTheDocument();
  });

  it("lets a tenant admin change the fiscal year's start month", async () => {
    const { user, service } = show();
    const fy = within(card("Fiscal year"));
    const month = fy.getByRole("combobox", { name: "Starts in" });
    expect(month).toHaveValue("7");
    expect(fy.getByRole("button", { name: "Save" })).toBeDisabled();
    await user.selectOptions(month, "April");
    await user.click(fy.getByRole("button", { name: "Save" }));
    expect(await fy.findByText("Saved: the fiscal year starts on 1 April.")).toBeInTheDocument();
    expect(service.writes()[0].body).toEqual({ fiscalYearStartMonth: 4 });
  });

  it("shows others the fiscal year read-only, saying why", () => {
    show({ ...ADA, isTenantAdmin: false, fiscalYearStartMonth: 4 });
    const fy = within(card("Fiscal year"));
    expect(fy.getByText(/starts on/)).toHaveTextContent("Your tenant’s fiscal year starts on 1 April.");
    expect(fy.getByText(/only your tenant’s admins can change it/)).toBeInTheDocument();
    expect(fy.queryByRole("combobox")).toBeNull();
    expect(fy.queryByRole("button")).toBeNull();
  });
});
