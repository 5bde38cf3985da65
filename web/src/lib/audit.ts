// Reading the audit log newest first. The service lists a date range (UTC days) oldest
// first, page by page, and a page may hold fewer records than asked for yet have a cursor
// (it reads at most 2 000 records per request): every page is followed. To show the newest
// records first without reading a whole year, the range is read backwards a week at a time.

import type { components } from "../api/schema";
import { addDays, dateIn } from "./time";

export type AuditRecord = components["schemas"]["AuditRecord"];
export type AuditPage = { records: AuditRecord[]; nextCursor?: string | null };
/** One request: the UTC days `from`..=`to`, continuing at `cursor`. */
export type FetchAudit = (q: { from: string; to: string; cursor?: string }) => Promise<AuditPage>;

export type AuditChunk = {
  /** Newest first, each dated (in the person's zone) within the asked range. */
  records: AuditRecord[];
  /** The first day (in the person's zone) not read yet, going back: `null` once the range is read. */
  olderThan: string | null;
};

const maxDate = (a: string, b: string) => (a > b ? a : b);

/**
 * Reads the person's days `from`..=`before - 1` backwards a week at a time, newest first,
 * until at least `want` records are there or the range is read. Days are the person's
 * (`timeZone`): each week is asked for with a day more on both sides in UTC and the records
 * are kept by their date in the zone.
 */
export async function loadAuditBackwards(
  fetchPage: FetchAudit,
  opts: { from: string; before: string; timeZone: string; want?: number; days?: number; maxPages?: number },
): Promise<AuditChunk> {
  const { from, timeZone, want = 50, days = 7, maxPages = 100 } = opts;
  const out: AuditRecord[] = [];
  let end = addDays(opts.before, -1);
  let pages = 0;
  while (end >= from) {
    const start = maxDate(from, addDays(end, -(days - 1)));
    const week: AuditRecord[] = [];
    let cursor: string | undefined;
    do {
      if (++pages > maxPages) throw new Error(`More than ${maxPages} pages of audit records; choose fewer days.`);
      const page = await fetchPage({ from: addDays(start, -1), to: addDays(end, 1), cursor });
      for (const r of page.records) {
        const day = dateIn(timeZone, Date.parse(r.at));
        if (day >= start && day <= end) week.push(r);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    week.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    out.push(...week);
    end = addDays(start, -1);
    if (out.length >= want) break;
  }
  return { records: out, olderThan: end >= from ? addDays(end, 1) : null };
}

/** What a record's action is called here (the service's code otherwise). */
export const ACTION_LABEL: Record<string, string> = {
  "entry.create": "Entry added",
  "entry.update": "Entry changed",
  "entry.delete": "Entry deleted",
  "timer.start": "Timer started",
  "timer.finish": "Timer stopped",
  "project.create": "Project created",
  "project.update": "Project changed",
  "project.rename": "Project renamed",
  "project.merge": "Projects merged",
  "project.upload": "Project file uploaded",
  "upload.create": "Upload started",
  "upload.ingest": "Log ingested",
  "member.put": "Member added or changed",
  "member.delete": "Member removed",
  "settings.update": "Settings changed",
  "user.invite": "Person invited",
  "user.reinvite": "Invitation sent again",
  "user.update": "Person changed",
  "user.delete": "Person removed",
};

export const actionLabel = (action: string) => ACTION_LABEL[action] ?? action;

/** What the actor did, as a verb phrase; for people the subject is its object ("invited Hedy"). */
const VERB: Record<string, string> = {
  "entry.create": "added an entry",
  "entry.update": "changed an entry",
  "entry.delete": "deleted an entry",
  "timer.start": "started the timer",
  "timer.finish": "stopped the timer",
  "project.create": "created a project",
  "project.update": "changed a project",
  "project.rename": "renamed a project",
  "project.merge": "merged a project",
  "project.upload": "uploaded a project file",
  "upload.create": "started an upload",
  "upload.ingest": "had a log ingested",
  "member.put": "set a member’s role",
  "member.delete": "removed a member",
  "settings.update": "changed settings",
  "user.invite": "invited",
  "user.reinvite": "invited again",
  "user.update": "changed",
  "user.delete": "removed",
};

/** The sentence's parts: `{actor} {verb} {object}`, or `{actor} {verb}` + `for {subject}`. */
export function actionPhrase(action: string): { verb: string; subjectIsObject: boolean } {
  return { verb: VERB[action] ?? action, subjectIsObject: action.startsWith("user.") };
}

/** The default range: the last 30 days up to today in `timeZone`. */
export function defaultAuditRange(timeZone: string, now = Date.now()): { from: string; to: string } {
  const to = dateIn(timeZone, now);
  return { from: addDays(to, -29), to };
}

type Json = unknown;
const isObject = (x: Json): x is Record<string, Json> => !!x && typeof x === "object" && !Array.isArray(x);

/** The leaves of `x` by dotted path (objects are walked; arrays and scalars are leaves). */
function leaves(x: Json, prefix = "", out = new Map<string, Json>()): Map<string, Json> {
  if (isObject(x)) {
    for (const [k, v] of Object.entries(x)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out.set(prefix, x);
  }
  return out;
}

const shown = (v: Json) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/**
 * What a record changed, in a few words: for people, "made an admin", "disabled", "renamed
 * A → B"; otherwise each changed field as `field: before → after` (the last part of its path).
 */
export function changeSummary(r: Pick<AuditRecord, "action" | "before" | "after">): string[] {
  if (!isObject(r.before) || !isObject(r.after)) return [];
  const b = leaves(r.before);
  const a = leaves(r.after);
  const changed = [...new Set([...b.keys(), ...a.keys()])].filter(
    (k) => !/(^|\.)(updatedAt|createdAt)$/.test(k) && JSON.stringify(b.get(k)) !== JSON.stringify(a.get(k)),
  );
  if (r.action === "user.update") {
    return changed.map((k) => {
      const to = a.get(k);
      if (k === "admin") return to ? "made an admin" : "no longer an admin";
      if (k === "status") return to === "disabled" ? "disabled" : b.get(k) === "disabled" && to === "active" ? "enabled" : `status ${shown(b.get(k))} → ${shown(to)}`;
      if (k === "name") return `renamed ${shown(b.get(k))} → ${shown(to)}`;
      return `${k}: ${shown(b.get(k))} → ${shown(to)}`;
    });
  }
  return changed.map((k) => `${k.split(".").pop()}: ${shown(b.get(k))} → ${shown(a.get(k))}`);
}
