// The Projects pages' pure logic: addresses, who may do what, the people picker's choices.

import { personLabel } from "./directory";

/** Built into every account: time without a project, and time not worked. Never renamed or deleted. */
export const CONVENTIONAL = ["Non-Project", "Unproductive"] as const;

export function isConventional(name: string): boolean {
  return CONVENTIONAL.some((c) => c.toLowerCase() === name.toLowerCase());
}

export const STATUSES = ["Active", "Completed", "On Hold", "Cancelled"] as const;

/** The class of a project status's badge: `badge status-on-hold` for "On Hold". */
export function statusBadgeClass(status: string): string {
  return `badge status-${status.toLowerCase().replace(/\s+/g, "-")}`;
}

export type Standing = "owner" | "admin" | "contributor" | "viewer";
export type Role = Exclude<Standing, "owner">;

export const ROLES: { role: Role; label: string; explanation: string }[] = [
  { role: "viewer", label: "Viewer", explanation: "Reads the project and its reports; cannot log time to it." },
  { role: "contributor", label: "Contributor", explanation: "Also logs their own time to it." },
  { role: "admin", label: "Admin", explanation: "Also edits its details and manages its members." },
];

export const STANDING_LABEL: Record<Standing, string> = {
  owner: "Owner",
  admin: "Admin",
  contributor: "Contributor",
  viewer: "Viewer",
};

/** A project's address in the app: `/projects/Name`, with `?owner=` for a colleague's. */
export function projectHref(name: string, owner?: string | null): string {
  const path = `/projects/${encodeURIComponent(name)}`;
  return owner ? `${path}?owner=${encodeURIComponent(owner)}` : path;
}

/** The project a `/projects/...` address names, or null for the list. */
export function projectFromPath(pathname: string, search: string): { name: string; owner: string | null } | null {
  const m = /^\/projects\/(.+?)\/?$/.exec(pathname);
  if (!m) return null;
  let name: string;
  try {
    name = decodeURIComponent(m[1]);
  } catch {
    name = m[1];
  }
  const owner = new URLSearchParams(search).get("owner");
  return { name, owner: owner || null };
}

/** What the caller may do with a project, by their standing on it. */
export function abilities(standing: Standing, conventional: boolean) {
  const owner = standing === "owner";
  const manages = owner || standing === "admin";
  return {
    /** Change goals, directions, tags, status, start date, summary; archive. */
    edit: manages && !conventional,
    /** Rename, merge and delete: the owner's own project only. */
    restructure: owner && !conventional,
    /** Add members, change their roles, remove them. */
    manageMembers: manages && !conventional,
    /** Take oneself off a colleague's project. */
    leave: !owner,
  };
}

/** Why the caller sees a project read-only (null when they may edit it). */
export function readOnlyReason(standing: Standing, conventional: boolean, name: string, ownerName: string | null): string | null {
  if (conventional) {
    return `${name} is built in: its details cannot be changed, and it cannot be renamed, archived, shared or deleted.`;
  }
  if (standing === "owner" || standing === "admin") return null;
  const whose = ownerName ? `${ownerName}’s project` : "a colleague’s project";
  return `You are a ${standing} on ${whose}: only its owner and its admins change its details and members.`;
}

/** Someone of the directory who could be added to a project. */
export type Candidate = { id: string; name: string | null; email: string | null; status: string };

/**
 * The people the picker offers for `query`: not removed, not already on the project
 * (nor its owner), matching the query in their name or email (any word start, any case),
 * by name.
 */
export function candidates<P extends Candidate>(people: readonly P[], onProject: ReadonlySet<string>, query: string): P[] {
  const q = query.trim().toLowerCase();
  return people
    .filter((p) => p.status !== "removed" && !onProject.has(p.id))
    .filter((p) => {
      if (!q) return true;
      const name = (p.name ?? "").toLowerCase();
      const email = (p.email ?? "").toLowerCase();
      return name.includes(q) || email.includes(q);
    })
    .sort((a, b) => personLabel(a).localeCompare(personLabel(b)));
}

export { personLabel };

/** Adds `item` to a list unless it is empty or there already (any case); the list's order is kept. */
export function addItem(list: readonly string[], item: string): string[] {
  const t = item.trim();
  if (!t || list.some((x) => x.toLowerCase() === t.toLowerCase())) return [...list];
  return [...list, t];
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** "1 entry", "4 entries". */
export function entries(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}

/** "1 person", "3 people". */
export function people(n: number): string {
  return `${n} ${n === 1 ? "person" : "people"}`;
}

// A message for the page shown next (after a delete, a rename or a leave takes the person there).
let flash: { href: string; message: string } | null = null;

export function setFlash(href: string, message: string) {
  flash = { href, message };
}

/** The message left for `href` (read as often as asked: React may render twice); `clearFlash` drops it. */
export function flashFor(href: string): string | null {
  return flash && flash.href === href ? flash.message : null;
}

export function clearFlash() {
  flash = null;
}
