import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ListedProject, MeAnswer } from "../api/client";
import { fakeService, ME, UUID } from "../test/fakeService";
import { ProjectsPage } from "./Projects";

const ADA = "u-1"; // ME.user
const OLGA = "u-olga";
const GRACE = "u-grace";

const PEOPLE = [
  { id: ADA, name: "Ada Lovelace", email: "ada@example.com", admin: true, status: "active", lastSeen: null, since: "2026-01-01T00:00:00Z" },
  { id: OLGA, name: "Olga Owner", email: "olga@example.com", admin: false, status: "active", lastSeen: null, since: "2026-01-01T00:00:00Z" },
  { id: GRACE, name: "Grace Hopper", email: "grace@example.com", admin: false, status: "active", lastSeen: null, since: "2026-01-01T00:00:00Z" },
  { id: "u-ivy", name: "Ivy Invited", email: "ivy@example.com", admin: false, status: "invited", lastSeen: null, since: "2026-01-01T00:00:00Z" },
  { id: "u-rex", name: "Rex Removed", email: "rex@example.com", admin: false, status: "removed", lastSeen: null, since: "2026-01-01T00:00:00Z" },
];

function project(p: Partial<ListedProject> & { name: string }): ListedProject {
  return { departmentalGoals: [], strategicDirections: [], tags: [], status: "Active", startDate: "2026-09-01", summary: "", ...p };
}

type Member = { user: string; name: string | null; role: string };
type Stored = { p: ListedProject; owner: string; members: Member[]; entryCount: number };

const problem = (status: number, code: string, message: string, details: unknown = null) => ({
  status,
  body: { error: { code, message, details } },
});

/** A service holding `projects` (Ada's unless `owner` says), answering the projects routes as the real one does. */
function projectsService(projects: Stored[]) {
  const find = (name: string, owner: string | null) =>
    projects.find((s) => s.p.name.toLowerCase() === name.toLowerCase() && s.owner === (owner ?? ADA));
  const listed = (s: Stored): ListedProject => {
    const role = s.owner === ADA ? "owner" : s.members.find((m) => m.user === ADA)?.role;
    return s.members.length || s.owner !== ADA
      ? { ...s.p, shared: { owner: s.owner, role: role as "owner", members: s.members.length, logAs: s.owner === ADA ? s.p.name : `${s.owner}/${s.p.name}` } }
      : s.p;
  };
  const membersAnswer = (s: Stored) => ({
    project: s.p.name,
    owner: s.owner,
    logAs: s.p.name,
    members: [{ user: s.owner, name: PEOPLE.find((p) => p.id === s.owner)?.name ?? null, role: "owner" }, ...s.members],
  });
  const service = fakeService({
    "GET /v1/users": { body: { tenant: "t-1", people: PEOPLE } },
    "GET /v1/projects": (r) => ({
      body: {
        projects: projects
          .filter((s) => r.query.get("archived") === "true" || !s.p.archived)
          .filter((s) => s.owner === ADA || s.members.some((m) => m.user === ADA))
          .map(listed),
      },
    }),
    "POST /v1/projects": (r) => {
      const b = r.body as ListedProject;
      if (find(b.name, null)) return problem(409, "project-exists", `a project named "${b.name}" exists already (names ignore case); change it with PATCH /v1/projects/{name}`);
      const p = project({ ...b, startDate: b.startDate ?? "2026-12-03" });
      projects.push({ p, owner: ADA, members: [], entryCount: 0 });
      return { status: 201, body: { ...p, warnings: [{ field: "tags", severity: "warning", code: "tag-dropped", message: 'tag "x" was dropped' }] } };
    },
    "GET /v1/projects/:name/members": (r, [name]) => {
      const s = find(name, r.query.get("owner"));
      return s ? { body: membersAnswer(s) } : problem(404, "not-found", "no such project");
    },
    "PUT /v1/projects/:name/members/:user": (r, [name, user]) => {
      const s = find(name, r.query.get("owner"))!;
      if (user === s.owner) return problem(409, "owner-not-member", `the owner of "${name}" has every right and cannot be given a role or removed`);
      const role = (r.body as { role: string }).role;
      const m = s.members.find((x) => x.user === user);
      if (m) m.role = role;
      else s.members.push({ user, name: PEOPLE.find((p) => p.id === user)?.name ?? null, role });
      return { status: m ? 200 : 201, body: membersAnswer(s) };
    },
    "DELETE /v1/projects/:name/members/:user": (r, [name, user]) => {
      const s = find(name, r.query.get("owner"))!;
      s.members = s.members.filter((m) => m.user !== user);
      return { status: 204 };
    },
    "GET /v1/projects/:name": (r, [name]) => {
      const s = find(name, r.query.get("owner"));
      if (!s) return problem(404, "unknown-project", `no project named "${name}"; check the name`, { suggestions: [] });
      const { archived: _a, shared: _s, ...meta } = s.p;
      const all = Array.from({ length: s.entryCount }, (_, i) => ({
        id: `e-${i}`,
        user: s.owner,
        date: `2026-11-${String(28 - i).padStart(2, "0")}`,
        startTime: "09:00",
        endTime: "10:30",
        minutes: 90,
        hours: 1.5,
        task: `Task ${i + 1}`,
        project: s.p.name,
        tags: i === 0 ? ["design"] : [],
        notes: null,
      }));
      const at = Number(r.query.get("cursor") ?? 0);
      const limit = Number(r.query.get("limit") ?? 50);
      return {
        body: {
          kind: "project",
          project: meta,
          totalMinutes: 90 * s.entryCount,
          totalHours: 1.5 * s.entryCount,
          entryCount: s.entryCount,
          averageMinutes: s.entryCount ? 90 : 0,
          firstDate: s.entryCount ? all.at(-1)!.date : null,
          lastDate: s.entryCount ? all[0].date : null,
          recentEntries: all.slice(at, at + limit),
          nextOffset: null,
          hoursByTag: s.entryCount ? [{ tag: "design", minutes: 90, hours: 1.5, entryCount: 1 }] : [],
          untaggedMinutes: Math.max(0, s.entryCount - 1) * 90,
          nextCursor: at + limit < all.length ? String(at + limit) : null,
        },
      };
    },
    "PATCH /v1/projects/:name": (r, [name]) => {
      const s = find(name, r.query.get("owner"))!;
      const b = r.body as Partial<ListedProject>;
      if (b.name && s.members.length) return problem(409, "shared-project-rename", `"${name}" is shared; its members log time under this name. Remove the members first, then rename it`);
      if (b.status && !["Active", "Completed", "On Hold", "Cancelled"].includes(b.status)) {
        const message = `status "${b.status}" is not one of Active, Completed, On Hold, Cancelled`;
        return problem(422, "validation-failed", `status: ${message}`, { issues: [{ field: "status", code: "invalid-status", severity: "error", message }] });
      }
      s.p = { ...s.p, ...b };
      return { body: { ...s.p, warnings: [] } };
    },
    "DELETE /v1/projects/:name": (_r, [name]) => {
      const s = find(name, null)!;
      if (s.entryCount > 0) return problem(409, "project-has-entries", `"${name}" has entries (the first on 2026-11-01); merge it into another project with POST /v1/projects/{name}/merge {"into": "..."}, or archive it with PATCH {"archived": true}`);
      projects.splice(projects.indexOf(s), 1);
      return { status: 204 };
    },
    "POST /v1/projects/:name/merge": (r, [name]) => {
      const s = find(name, null)!;
      projects.splice(projects.indexOf(s), 1);
      return { body: { merged: name, into: (r.body as { into: string }).into, entriesMoved: s.entryCount } };
    },
  });
  return service;
}

function seed(): Stored[] {
  return [
    {
      p: project({ name: "Website", departmentalGoals: ["Grow sales"], strategicDirections: ["Digital first"], tags: ["web"], status: "Active" }),
      owner: ADA,
      members: [{ user: GRACE, name: "Grace Hopper", role: "contributor" }],
      entryCount: 3,
    },
    { p: project({ name: "Old Intranet", status: "Completed", archived: true }), owner: ADA, members: [], entryCount: 2 },
    { p: project({ name: "Empty One" }), owner: ADA, members: [], entryCount: 0 },
    { p: project({ name: "Atlas", departmentalGoals: ["Research"] }), owner: OLGA, members: [{ user: ADA, name: "Ada Lovelace", role: "viewer" }], entryCount: 1 },
  ];
}

function show(service: ReturnType<typeof fakeService>, path = "/projects", me: MeAnswer = ME) {
  window.history.replaceState(null, "", path);
  const user = userEvent.setup();
  render(<ProjectsPage api={service.api} me={me} />);
  return user;
}

const item = (name: string) => screen.getByRole("link", { name }).closest("li")!;
const writes = (service: ReturnType<typeof fakeService>) => service.writes().map((w) => `${w.method} ${w.path}${w.query.size ? `?${w.query}` : ""}`);

describe("the project list", () => {
  it("lists one's projects and those shared with one, by name, with goals, directions, tags and sharing", async () => {
    const service = projectsService(seed());
    show(service);
    expect(screen.getByText("Loading your projects…")).toBeInTheDocument();
    const own = await screen.findByRole("region", { name: "Your projects" });
    expect(within(own).getAllByRole("link").map((a) => a.textContent)).toEqual(["Website", "Empty One"]);
    const website = within(item("Website"));
    expect(website.getByText("Grow sales")).toBeInTheDocument();
    expect(website.getByText("Digital first")).toBeInTheDocument();
    expect(website.getByText("#web")).toBeInTheDocument();
    expect(website.getByText("Shared with 1 person")).toBeInTheDocument();
    const theirs = screen.getByRole("region", { name: "Shared with you" });
    expect(within(theirs).getByText("Olga Owner’s project · you are a viewer")).toBeInTheDocument();
    // A colleague's project opens with its owner in the address.
    expect(within(theirs).getByRole("link", { name: "Atlas" })).toHaveAttribute("href", `/projects/Atlas?owner=${OLGA}`);
    expect(screen.queryByRole("link", { name: "Old Intranet" })).not.toBeInTheDocument();
  });

  it("shows archived projects too with “Show archived”, and leaves them out again", async () => {
    const service = projectsService(seed());
    const user = show(service);
    await screen.findByRole("link", { name: "Website" });
    await user.click(screen.getByRole("checkbox", { name: "Show archived" }));
    expect(await screen.findByRole("link", { name: "Old Intranet" })).toBeInTheDocument();
    expect(within(item("Old Intranet")).getByText("Archived")).toBeInTheDocument();
    expect(window.location.search).toBe("?archived=true");
    expect(service.calls.filter((c) => c.path === "/v1/projects").at(-1)!.query.get("archived")).toBe("true");
    await user.click(screen.getByRole("checkbox", { name: "Show archived" }));
    await waitFor(() => expect(screen.queryByRole("link", { name: "Old Intranet" })).not.toBeInTheDocument());
  });

  it("creates a project with goals and directions added and removed, and says what the service noticed", async () => {
    const service = projectsService(seed());
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "New project" }));
    const form = screen.getByRole("form", { name: "New project" });
    expect(within(form).getByLabelText("Name")).toHaveFocus();
    await user.type(within(form).getByLabelText("Name"), "Launch");
    await user.type(within(form).getByRole("textbox", { name: "Add a goal" }), "More users{Enter}");
    await user.type(within(form).getByRole("textbox", { name: "Add a goal" }), "Typo goal");
    await user.click(within(form).getByRole("button", { name: "Add goal" }));
    await user.type(within(form).getByRole("textbox", { name: "Add a goal" }), "Less churn{Enter}");
    await user.click(within(form).getByRole("button", { name: "Remove goal “Typo goal”" }));
    // Typed but not added: still meant.
    await user.type(within(form).getByRole("textbox", { name: "Add a direction" }), "Partners");
    await user.type(within(form).getByLabelText("Tags"), "go, x");
    await user.selectOptions(within(form).getByLabelText("Status"), "On Hold");
    await user.type(within(form).getByLabelText("Start date"), "2026-12-01");
    await user.click(within(form).getByRole("button", { name: "Create project" }));

    const created = await screen.findByText(/^Created/);
    expect(created.closest("p")).toHaveTextContent("Created Launch. Open Launch");
    await waitFor(() => expect(screen.getByRole("link", { name: "Open Launch" })).toHaveFocus());
    expect(screen.getByText('tag "x" was dropped')).toBeInTheDocument();
    const post = service.writes()[0];
    expect(post.body).toEqual({
      name: "Launch",
      departmentalGoals: ["More users", "Less churn"],
      strategicDirections: ["Partners"],
      tags: ["go", "x"],
      status: "On Hold",
      startDate: "2026-12-01",
      summary: "",
    });
    expect(post.headers.get("Idempotency-Key")).toMatch(UUID);
    expect(within(item("Launch")).getByText("More users, Less churn")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "New project" })).not.toBeInTheDocument();
  });

  it("shows a refused name as the service words it, on the Name field, and keeps the form", async () => {
    const service = projectsService(seed());
    const user = show(service);
    await user.click(await screen.findByRole("button", { name: "New project" }));
    const form = screen.getByRole("form", { name: "New project" });
    await user.type(within(form).getByLabelText("Name"), "website{Enter}");
    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent('a project named "website" exists already (names ignore case)');
    expect(alert).toHaveTextContent("project-exists");
    expect(within(form).getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    await waitFor(() => expect(within(form).getByLabelText("Name")).toHaveFocus());
    await user.click(within(form).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "New project" })).toHaveFocus());
  });
});

describe("a project", () => {
  it("shows its summary: totals, hours per tag, recent entries paged with the cursor", async () => {
    const stored = seed();
    stored[0].entryCount = 23;
    const service = projectsService(stored);
    const user = show(service, "/projects/Website");
    expect(await screen.findByRole("heading", { level: 1, name: "Website" })).toBeInTheDocument();
    const totals = await screen.findByRole("region", { name: "Hours" });
    const facts = Object.fromEntries(
      within(totals).getAllByRole("term").map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
    );
    expect(facts).toMatchObject({ Total: "34:30 (34.5 h)", Entries: "23", Average: "1:30" });
    expect(facts.First).toMatch(/2026/);
    const tags = within(totals).getByRole("table", { name: "Hours per tag" });
    expect(within(tags).getAllByRole("row").map((r) => r.textContent)).toEqual(["TagHoursEntries", "#design1:301", "no tag33:00"]);
    const recent = screen.getByRole("region", { name: "Recent entries" });
    expect(within(recent).getAllByRole("listitem")).toHaveLength(20);
    await user.click(within(recent).getByRole("button", { name: "Show older entries" }));
    await waitFor(() => expect(within(recent).getAllByRole("listitem")).toHaveLength(23));
    expect(within(recent).getByText("Task 23")).toBeInTheDocument();
    expect(service.calls.filter((c) => c.path === "/v1/projects/Website").at(-1)!.query.get("cursor")).toBe("20");
    expect(within(recent).queryByRole("button", { name: "Show older entries" })).not.toBeInTheDocument();
  });

  it("edits its details: a goal removed, one added, the status; only the changes are sent", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    await user.click(await screen.findByRole("button", { name: "Edit details" }));
    const form = screen.getByRole("form", { name: "Edit the details of Website" });
    await user.click(within(form).getByRole("button", { name: "Remove goal “Grow sales”" }));
    // Focus goes to the add box when the last item goes.
    await waitFor(() => expect(within(form).getByRole("textbox", { name: "Add a goal" })).toHaveFocus());
    await user.keyboard("Keep customers{Enter}");
    await user.selectOptions(within(form).getByLabelText("Status"), "Completed");
    await user.click(within(form).getByRole("button", { name: "Save details" }));
    expect(await screen.findByText("Saved the details.")).toBeInTheDocument();
    const patch = service.writes()[0];
    expect(`${patch.method} ${patch.path}`).toBe("PATCH /v1/projects/Website");
    expect(patch.body).toEqual({ departmentalGoals: ["Keep customers"], status: "Completed" });
    const details = screen.getByRole("region", { name: "Details" });
    expect(within(details).getByText("Keep customers")).toBeInTheDocument();
    expect(within(details).queryByText("Grow sales")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "Edit details" })).toHaveFocus());
  });

  it("shows a refused edit by its field, as the service words it", async () => {
    const service = projectsService(seed());
    service.route("PATCH /v1/projects/:name", problem(422, "validation-failed", "startDate: 2026-13-01 is not a calendar date", {
      issues: [{ field: "startDate", code: "invalid-start-date", severity: "error", message: "2026-13-01 is not a calendar date" }],
    }));
    const user = show(service, "/projects/Website");
    await user.click(await screen.findByRole("button", { name: "Edit details" }));
    const form = screen.getByRole("form", { name: "Edit the details of Website" });
    await user.type(within(form).getByLabelText("Summary"), "Hello");
    await user.click(within(form).getByRole("button", { name: "Save details" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("startDate: 2026-13-01 is not a calendar date");
    expect(within(form).getByLabelText("Start date")).toHaveAttribute("aria-invalid", "true");
    expect(within(form).getByLabelText("Start date")).toHaveAccessibleDescription(/2026-13-01 is not a calendar date/);
  });

  it("is read-only for a viewer, saying why; they may leave it after saying so", async () => {
    const service = projectsService(seed());
    const user = show(service, `/projects/Atlas?owner=${OLGA}`);
    expect(await screen.findByText("You are a viewer on Olga Owner’s project: only its owner and its admins change its details and members.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Edit details" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Manage" })).not.toBeInTheDocument();
    expect(service.calls.find((c) => c.path === "/v1/projects/Atlas")!.query.get("owner")).toBe(OLGA);
    const members = await screen.findByRole("region", { name: "Members" });
    await within(members).findByText("Olga Owner");
    expect(within(members).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["Olga OwnerOwner", "Ada Lovelace (you)ViewerLeave"]);
    expect(within(members).queryByRole("combobox")).not.toBeInTheDocument();
    await user.click(within(members).getByRole("button", { name: "Leave" }));
    expect(within(members).getByRole("button", { name: "Leave project" })).toHaveFocus();
    await user.click(within(members).getByRole("button", { name: "Leave project" }));
    await waitFor(() => expect(window.location.pathname).toBe("/projects"));
    expect(writes(service)).toEqual([`DELETE /v1/projects/Atlas/members/${ADA}?owner=${OLGA}`]);
    expect(await screen.findByText("You left Atlas.")).toHaveFocus();
  });

  it("offers no changes while it cannot tell whose the project is", async () => {
    const service = projectsService(seed());
    service.route("GET /v1/projects", problem(503, "store-unavailable", "the store is unavailable; try again"));
    show(service, "/projects/Website");
    expect(await screen.findByText("Whose project it is could not be loaded.")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("the store is unavailable; try again");
    await screen.findByRole("heading", { level: 2, name: "Details" });
    expect(screen.queryByRole("button", { name: "Edit details" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Manage" })).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Person" })).not.toBeInTheDocument();
  });

  it("offers nothing that cannot work on a built-in project, and says so", async () => {
    const service = projectsService(seed());
    show(service, "/projects/Non-Project");
    expect(await screen.findByText("Nothing has been logged to Non-Project yet.")).toBeInTheDocument();
    expect(screen.getByText("Built in")).toBeInTheDocument();
    expect(screen.queryByRole("button")).not.toBeInTheDocument();
    expect(service.calls.some((c) => c.path.endsWith("/members"))).toBe(false);
  });

  it("renames one's project, and shows the refusal while it is shared as worded", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const rename = await screen.findByRole("form", { name: "Rename" });
    await user.clear(within(rename).getByLabelText("New name"));
    await user.type(within(rename).getByLabelText("New name"), "Web Shop{Enter}");
    expect(await within(rename).findByRole("alert")).toHaveTextContent('"Website" is shared; its members log time under this name. Remove the members first, then rename it');
    expect(window.location.pathname).toBe("/projects/Website");
  });

  it("renames an unshared project and goes to its new address", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Empty%20One");
    const rename = await screen.findByRole("form", { name: "Rename" });
    await user.clear(within(rename).getByLabelText("New name"));
    await user.type(within(rename).getByLabelText("New name"), "Full One{Enter}");
    await waitFor(() => expect(window.location.pathname).toBe("/projects/Full%20One"));
    expect(service.writes()[0].body).toEqual({ name: "Full One" });
    expect(await screen.findByText("Renamed Empty One to Full One.")).toBeInTheDocument();
    expect(await screen.findByRole("heading", { level: 1, name: "Full One" })).toHaveFocus();
  });

  it("archives and unarchives", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const manage = await screen.findByRole("region", { name: "Manage" });
    await user.click(within(manage).getByRole("button", { name: "Archive" }));
    expect(await screen.findByText(/^Archived Website: it is left out of the project list/)).toBeInTheDocument();
    expect(within(manage).getByRole("button", { name: "Unarchive" })).toBeInTheDocument();
    expect(screen.getByText("Archived", { selector: ".badge" })).toBeInTheDocument();
    await user.click(within(manage).getByRole("button", { name: "Unarchive" }));
    expect(await screen.findByText("Unarchived Website: it is in the project list again.")).toBeInTheDocument();
    expect(service.writes().map((w) => w.body)).toEqual([{ archived: true }, { archived: false }]);
  });

  it("merges into another project after asking, saying how many entries moved", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const manage = await screen.findByRole("region", { name: "Manage" });
    const into = within(manage).getByLabelText("Merge into");
    expect(within(into).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Choose a project…", "Old Intranet (archived)", "Empty One", "Non-Project (built in)", "Unproductive (built in)",
    ]);
    await user.selectOptions(into, "Empty One");
    await user.click(within(manage).getByRole("button", { name: "Merge…" }));
    let confirm = within(manage).getByRole("alertdialog", { name: "Merge Website into Empty One?" });
    expect(confirm).toHaveAccessibleDescription("Move all 3 entries of Website into Empty One, and remove Website? This cannot be undone.");
    expect(within(confirm).getByRole("button", { name: "Merge into Empty One" })).toHaveFocus();
    // Escape keeps it apart, and focus is back on the button that asked.
    await user.keyboard("{Escape}");
    expect(within(manage).queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(within(manage).getByRole("button", { name: "Merge…" })).toHaveFocus();
    await user.click(within(manage).getByRole("button", { name: "Merge…" }));
    confirm = within(manage).getByRole("alertdialog", { name: "Merge Website into Empty One?" });
    await user.click(within(confirm).getByRole("button", { name: "Keep it apart" }));
    expect(within(manage).getByRole("button", { name: "Merge…" })).toHaveFocus();
    await user.click(within(manage).getByRole("button", { name: "Merge…" }));
    expect(service.writes()).toHaveLength(0);
    await user.click(within(manage).getByRole("button", { name: "Merge into Empty One" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Website was merged into Empty One" })).toHaveFocus();
    expect(screen.getByText("3 entries moved to Empty One; Website is gone.")).toBeInTheDocument();
    expect(service.writes()[0].body).toEqual({ into: "Empty One" });
  });

  it("deletes an empty project after asking, and goes back to the list", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Empty%20One");
    await user.click(await screen.findByRole("button", { name: "Delete project…" }));
    await user.click(screen.getByRole("button", { name: "Keep it" }));
    expect(service.writes()).toHaveLength(0);
    expect(screen.getByRole("button", { name: "Delete project…" })).toHaveFocus();
    await user.click(screen.getByRole("button", { name: "Delete project…" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete Empty One?" });
    expect(confirm).toHaveAccessibleDescription("Delete Empty One? This cannot be undone.");
    expect(within(confirm).getByRole("button", { name: "Delete Empty One" })).toHaveFocus();
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Delete project…" })).toHaveFocus();
    expect(service.writes()).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Delete project…" }));
    await user.click(screen.getByRole("button", { name: "Delete Empty One" }));
    await waitFor(() => expect(window.location.pathname).toBe("/projects"));
    expect(writes(service)).toEqual(["DELETE /v1/projects/Empty%20One"]);
    expect(await screen.findByText("Deleted Empty One.")).toHaveFocus();
    await screen.findByRole("link", { name: "Website" });
    expect(screen.queryByRole("link", { name: "Empty One" })).not.toBeInTheDocument();
  });

  it("offers no delete for a shared project without entries, and says what to do first", async () => {
    const stored = seed();
    stored[0].entryCount = 0;
    show(projectsService(stored), "/projects/Website");
    expect(await screen.findByText("It is shared: remove its members first (under Members), then it can be deleted.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Delete project…" })).not.toBeInTheDocument();
  });

  it("offers no delete for a project with entries; a refused delete points to archiving", async () => {
    const stored = seed();
    const service = projectsService(stored);
    const user = show(service, "/projects/Website");
    expect(await screen.findByText("It has 3 entries, so it cannot be deleted: archive it to put it away, or merge it into another project.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Delete/ })).not.toBeInTheDocument();
    // An empty project that gets entries meanwhile: the service refuses, and archiving is one click.
    await user.click(screen.getByRole("link", { name: "All projects" }));
    await user.click(await screen.findByRole("link", { name: "Empty One" }));
    await user.click(await screen.findByRole("button", { name: "Delete project…" }));
    stored[2].entryCount = 1;
    await user.click(screen.getByRole("button", { name: "Delete Empty One" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent('"Empty One" has entries (the first on 2026-11-01)');
    // The page loads the project again and says what it is now; focus is on the refusal.
    expect(await screen.findByText("It has 1 entry, so it cannot be deleted: archive it to put it away, or merge it into another project.")).toBeInTheDocument();
    expect(screen.queryByText("It has no entries, so it can be deleted.")).not.toBeInTheDocument();
    expect(screen.queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(document.activeElement).toContainElement(alert);
    expect(document.activeElement).not.toBe(document.body);
    await user.click(screen.getByRole("button", { name: "Archive it instead" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Unarchive" })).toBeInTheDocument());
    expect(service.writes().at(-1)!.body).toEqual({ archived: true });
  });
});

describe("members", () => {
  it("adds a person chosen by name, leaving out removed people and those on the project", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const members = await screen.findByRole("region", { name: "Members" });
    await within(members).findByText("Grace Hopper");
    const picker = within(members).getByRole("combobox", { name: "Person" });
    await user.click(picker);
    const listbox = within(members).getByRole("listbox", { name: "People to add" });
    // Ada owns it, Grace is on it, Rex was removed: Olga and Ivy (invited) remain, by name.
    expect(within(listbox).getAllByRole("option").map((o) => o.textContent)).toEqual([
      "Ivy Invitedivy@example.cominvited",
      "Olga Ownerolga@example.com",
    ]);
    await user.type(picker, "olga@");
    expect(within(listbox).getAllByRole("option").map((o) => o.textContent)).toEqual(["Olga Ownerolga@example.com"]);
    await user.keyboard("{ArrowDown}{Enter}");
    expect(picker).toHaveValue("Olga Owner");
    expect(within(members).getByText("Chosen: Olga Owner (olga@example.com)")).toBeInTheDocument();
    expect(within(members).getByRole("radio", { name: /^Contributor/ })).toBeChecked();
    expect(within(members).getByRole("radio", { name: /^Admin/ })).toHaveAccessibleName("Admin Also edits its details and manages its members.");
    await user.click(within(members).getByRole("radio", { name: /^Admin/ }));
    await user.click(within(members).getByRole("button", { name: "Add member" }));
    expect(await screen.findByText("Added Olga Owner as an admin.")).toBeInTheDocument();
    expect(service.writes()[0].path).toBe(`/v1/projects/Website/members/${OLGA}`);
    expect(service.writes()[0].body).toEqual({ role: "admin" });
    expect(within(members).getByLabelText("Role of Olga Owner")).toHaveValue("admin");
    // A fresh, empty picker has the focus, for the next person.
    const next = within(members).getByRole("combobox", { name: "Person" });
    await waitFor(() => expect(next).toHaveFocus());
    expect(next).toHaveValue("");
  });

  it("asks for a person from the list rather than sending a typed name", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const members = await screen.findByRole("region", { name: "Members" });
    await user.type(within(members).getByRole("combobox", { name: "Person" }), "nobody");
    expect(within(members).getByText("No one else matches “nobody”.")).toBeInTheDocument();
    await user.click(within(members).getByRole("button", { name: "Add member" }));
    expect(within(members).getByRole("combobox", { name: "Person" })).toHaveAccessibleDescription(/Choose a person from the list first/);
    expect(service.writes()).toHaveLength(0);
  });

  it("changes a role and removes a member after asking; refusals are shown as worded", async () => {
    const service = projectsService(seed());
    const user = show(service, "/projects/Website");
    const members = await screen.findByRole("region", { name: "Members" });
    await user.selectOptions(await within(members).findByLabelText("Role of Grace Hopper"), "viewer");
    expect(await screen.findByText("Grace Hopper is now a viewer.")).toBeInTheDocument();
    expect(service.writes()[0].body).toEqual({ role: "viewer" });

    service.route("PUT /v1/projects/:name/members/:user", problem(403, "forbidden", 'you are a contributor of "Website"; only its owner and project admins change members'));
    await user.selectOptions(within(members).getByLabelText("Role of Grace Hopper"), "admin");
    expect(await within(members).findByRole("alert")).toHaveTextContent("only its owner and project admins change members");

    await user.click(within(members).getByRole("button", { name: "Remove Grace Hopper" }));
    await user.click(within(members).getByRole("button", { name: "Keep them" }));
    expect(within(members).getByRole("button", { name: "Remove Grace Hopper" })).toHaveFocus();
    await user.click(within(members).getByRole("button", { name: "Remove Grace Hopper" }));
    let confirm = within(members).getByRole("alertdialog", { name: "Remove Grace Hopper?" });
    expect(confirm).toHaveAccessibleDescription("Remove Grace Hopper from Website? They will no longer see it or log time to it; what they logged stays.");
    expect(within(confirm).getByRole("button", { name: "Remove Grace Hopper" })).toHaveFocus();
    // Escape is "Keep them": back on the button that asked.
    await user.keyboard("{Escape}");
    expect(within(members).queryByRole("alertdialog")).not.toBeInTheDocument();
    expect(within(members).getByRole("button", { name: "Remove Grace Hopper" })).toHaveFocus();
    expect(writes(service).at(-1)).not.toBe(`DELETE /v1/projects/Website/members/${GRACE}`);
    await user.click(within(members).getByRole("button", { name: "Remove Grace Hopper" }));
    confirm = within(members).getByRole("alertdialog", { name: "Remove Grace Hopper?" });
    await user.click(within(confirm).getByRole("button", { name: "Remove Grace Hopper" }));
    expect(await screen.findByText("Grace Hopper is no longer on Website.")).toBeInTheDocument();
    const list = within(members).getByRole("list", { name: "Members" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    expect(within(list).getByText("Ada Lovelace")).toBeInTheDocument();
    expect(within(list).queryByText("Grace Hopper")).not.toBeInTheDocument();
    expect(writes(service).at(-1)).toBe(`DELETE /v1/projects/Website/members/${GRACE}`);
  });
});
