import { describe, expect, it } from "vitest";
import { fiscalYearOf, isFiscalYear } from "./fiscalYear";

describe("fiscalYearOf", () => {
  it("labels a July-start year by its two calendar years", () => {
    expect(fiscalYearOf("2026-12-03", 7)).toBe("2026-2027");
    expect(fiscalYearOf("2026-07-01", 7)).toBe("2026-2027");
    expect(fiscalYearOf("2026-06-30", 7)).toBe("2025-2026");
  });
  it("gives equal years for a January start", () => {
    expect(fiscalYearOf("2026-01-01", 1)).toBe("2026-2026");
    expect(fiscalYearOf("2026-12-31", 1)).toBe("2026-2026");
  });
  it("checks labels", () => {
    expect(isFiscalYear("2026-2027")).toBe(true);
    expect(isFiscalYear("2026")).toBe(false);
    expect(isFiscalYear(null)).toBe(false);
  });
});
