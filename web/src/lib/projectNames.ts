// How project names read in the pages: entries on a colleague's shared project carry
// `OWNER_ID/Name`, which people should never have to see or type.

/** An entry's project as a person reads it: `Name`, or `Name (shared)` for a colleague's. */
export function shownProject(project: string): string {
  const slash = project.indexOf("/");
  return slash < 0 ? project : `${project.slice(slash + 1).trim()} (shared)`;
}

/**
 * What to offer in a project field: own projects by name, and shared ones by their plain
 * name too where no other project has it (the service takes such a name as that project);
 * else as they must be logged (`logAs`).
 */
export function suggestedProjects(projects: readonly { name: string; shared?: { logAs: string } | null }[]): string[] {
  const count = new Map<string, number>();
  for (const p of projects) count.set(p.name.toLowerCase(), (count.get(p.name.toLowerCase()) ?? 0) + 1);
  return projects.map((p) => (p.shared && count.get(p.name.toLowerCase()) !== 1 ? p.shared.logAs : p.name));
}
