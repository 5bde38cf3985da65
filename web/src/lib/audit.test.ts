import { describe, expect, it } from "vitest";
import { formatInstant } from "./time";
import { actionPhrase, changeSummary, defaultAuditRange, loadAuditBackwards, type AuditRecord, type FetchAudit } from "./audit";

let n = 0;
const rec = (at: string, action = "entry.create"): AuditRecord => ({
  id: `r-${++n}`,
  at,
  tenant: "t",
  actor: "u",
  subject: "u",
  action,
  target: "x",
  before: null,
  after: null,
});

/** A service holding `all` (any order), answering oldest first in pages of `size` (UTC days). */
function service(all: AuditRecord[], size = 2, short = false) {
  const asked: string[] = [];
  const fetch: FetchAudit = async ({ from, to, cursor }) => {
    asked.push(`${from}..${to}${cursor ? `@${cursor}` : ""}`);
    const inRange = all.filter((r) => r.at.slice(0, 10) >= from && r.at.slice(0, 10) <= to).sort((a, b) => a.at.localeCompare(b.at));
    const at = Number(cursor ?? 0);
    // `short`: the first page is empty yet has a cursor (the service's scan budget ran out).
    if (short && !cursor) return { records: [], nextCursor: "0" };
    const page = inRange.slice(at, at + size);
    return { records: page, nextCursor: at + size < inRange.length ? String(at + size) : null };
  };
  return { fetch, asked };
}

describe("reading the audit log newest first", () => {
  it("reads the last week first (a day more each side in UTC), follows every cursor, newest first", async () => {
    const s = service([rec("2026-12-01T10:00:00Z"), rec("2026-12-03T09:00:00Z"), rec("2026-12-03T08:00:00Z"), rec("2026-11-20T10:00:00Z")]);
    const chunk = await loadAuditBackwards(s.fetch, { from: "2026-11-01", before: "2026-12-05", timeZone: "UTC", want: 3 });
    expect(s.asked).toEqual(["2026-11-27..2026-12-05", "2026-11-27..2026-12-05@2"]);
    expect(chunk.records.map((r) => r.at)).toEqual(["2026-12-03T09:00:00Z", "2026-12-03T08:00:00Z", "2026-12-01T10:00:00Z"]);
    expect(chunk.olderThan).toBe("2026-11-28");
  });

  it("goes on to older weeks until enough records are there, and says when the range is read", async () => {
    const s = service([rec("2026-12-03T09:00:00Z"), rec("2026-11-20T10:00:00Z"), rec("2026-11-02T10:00:00Z")]);
    const chunk = await loadAuditBackwards(s.fetch, { from: "2026-11-01", before: "2026-12-05", timeZone: "UTC", want: 50 });
    expect(chunk.records.map((r) => r.at.slice(0, 10))).toEqual(["2026-12-03", "2026-11-20", "2026-11-02"]);
    expect(chunk.olderThan).toBeNull();
    expect(s.asked.at(-1)).toBe("2026-10-31..2026-11-07");
  });

  it("keeps going past a page with fewer records than asked (even none) that has a cursor", async () => {
    const s = service([rec("2026-12-03T09:00:00Z")], 2, true);
    const chunk = await loadAuditBackwards(s.fetch, { from: "2026-11-29", before: "2026-12-05", timeZone: "UTC" });
    expect(chunk.records).toHaveLength(1);
    expect(s.asked).toEqual(["2026-11-28..2026-12-05", "2026-11-28..2026-12-05@0"]);
  });

  it("counts a record on the person's day: 23:30 UTC is the next day in Berlin", async () => {
    const s = service([rec("2026-12-02T23:30:00Z")]);
    const berlin = await loadAuditBackwards(s.fetch, { from: "2026-12-03", before: "2026-12-04", timeZone: "Europe/Berlin" });
    expect(berlin.records).toHaveLength(1);
    const utc = await loadAuditBackwards(s.fetch, { from: "2026-12-03", before: "2026-12-04", timeZone: "UTC" });
    expect(utc.records).toHaveLength(0);
  });

  it("the default range is the last 30 days of the person's today", () => {
    expect(defaultAuditRange("UTC", Date.parse("2026-12-04T10:00:00Z"))).toEqual({ from: "2026-11-05", to: "2026-12-04" });
    expect(defaultAuditRange("Pacific/Kiritimati", Date.parse("2026-12-04T23:00:00Z")).to).toBe("2026-12-05");
  });

  it("writes the time in the person's zone", () => {
    expect(formatInstant("2026-12-04T10:05:00Z", "Europe/Berlin", "en-GB")).toBe("4 Dec 2026, 11:05");
  });
});

describe("what a record says", () => {
  it("names changes to people in words", () => {
    const update = (before: object, after: object) => changeSummary({ action: "user.update", before, after });
    expect(update({ admin: false, name: "H", status: "active" }, { admin: true, name: "H", status: "active" })).toEqual(["made an admin"]);
    expect(update({ admin: true, status: "active" }, { admin: false, status: "disabled" })).toEqual(["no longer an admin", "disabled"]);
    expect(update({ status: "disabled" }, { status: "active" })).toEqual(["enabled"]);
    expect(update({ name: "H" }, { name: "Hedy" })).toEqual(["renamed H → Hedy"]);
  });

  it("lists other changed fields by name, leaving out timestamps, and nothing for creations", () => {
    expect(
      changeSummary({
        action: "settings.update",
        before: { profile: { timeZone: "UTC", suppressedProjects: ["A"] }, tenant: { fiscalYearStartMonth: 7 } },
        after: { profile: { timeZone: "Europe/Berlin", suppressedProjects: ["A"] }, tenant: { fiscalYearStartMonth: 7 } },
      }),
    ).toEqual(["timeZone: UTC → Europe/Berlin"]);
    expect(changeSummary({ action: "entry.update", before: { task: "a", updatedAt: "1" }, after: { task: "b", updatedAt: "2" } })).toEqual(["task: a → b"]);
    expect(changeSummary({ action: "entry.create", before: null, after: { task: "a" } })).toEqual([]);
  });

  it("says people's actions with the person as the object", () => {
    expect(actionPhrase("user.invite")).toEqual({ verb: "invited", subjectIsObject: true });
    expect(actionPhrase("entry.create")).toEqual({ verb: "added an entry", subjectIsObject: false });
    expect(actionPhrase("something.new").verb).toBe("something.new");
  });
});
