import { describe, expect, it } from "vitest";
import { abilities, addItem, candidates, isConventional, projectFromPath, projectHref, readOnlyReason } from "./projects";

const person = (id: string, name: string | null, email: string | null, status = "active") => ({ id, name, email, status });

describe("project addresses", () => {
  it("round-trips a name with spaces and a colleague's owner", () => {
    expect(projectHref("Web App")).toBe("/projects/Web%20App");
    expect(projectHref("Atlas", "u-olga")).toBe("/projects/Atlas?owner=u-olga");
    expect(projectFromPath("/projects/Web%20App", "")).toEqual({ name: "Web App", owner: null });
    expect(projectFromPath("/projects/Atlas", "?owner=u-olga")).toEqual({ name: "Atlas", owner: "u-olga" });
    expect(projectFromPath("/projects", "")).toBeNull();
    expect(projectFromPath("/projects/", "")).toBeNull();
  });
});

describe("who may do what", () => {
  it("lets the owner do everything, an admin edit and manage members, others only leave", () => {
    expect(abilities("owner", false)).toEqual({ edit: true, restructure: true, manageMembers: true, leave: false });
    expect(abilities("admin", false)).toEqual({ edit: true, restructure: false, manageMembers: true, leave: true });
    expect(abilities("contributor", false)).toEqual({ edit: false, restructure: false, manageMembers: false, leave: true });
    expect(abilities("owner", true)).toEqual({ edit: false, restructure: false, manageMembers: false, leave: false });
  });

  it("says why a project is read-only", () => {
    expect(readOnlyReason("owner", false, "Web", null)).toBeNull();
    expect(readOnlyReason("viewer", false, "Atlas", "Olga")).toBe(
      "You are a viewer on Olga’s project: only its owner and its admins change its details and members.",
    );
    expect(readOnlyReason("owner", true, "Unproductive", null)).toMatch(/^Unproductive is built in/);
    expect(isConventional("non-project")).toBe(true);
    expect(isConventional("Non Project")).toBe(false);
  });
});

describe("the people picker's choices", () => {
  const people = [
    person("u-3", "Zoe Zed", "zoe@example.com"),
    person("u-1", "Ada Lovelace", "ada@example.com"),
    person("u-2", "Grace Hopper", "grace@navy.example", "invited"),
    person("u-4", "Rex Removed", "rex@example.com", "removed"),
    person("u-5", null, "nameless@example.com"),
  ];

  it("leaves out removed people and those on the project, by name", () => {
    expect(candidates(people, new Set(["u-1"]), "").map((p) => p.id)).toEqual(["u-2", "u-5", "u-3"]);
  });

  it("matches the name or the email, in any case", () => {
    expect(candidates(people, new Set(), "HOP").map((p) => p.id)).toEqual(["u-2"]);
    expect(candidates(people, new Set(), "navy").map((p) => p.id)).toEqual(["u-2"]);
    expect(candidates(people, new Set(), "rex")).toEqual([]);
  });
});

describe("lists of goals", () => {
  it("adds a trimmed item once, ignoring case, keeping the order", () => {
    expect(addItem(["A"], "  B ")).toEqual(["A", "B"]);
    expect(addItem(["Grow"], "grow")).toEqual(["Grow"]);
    expect(addItem(["A"], "   ")).toEqual(["A"]);
  });
});
