import { describe, expect, it } from "vitest";
import { MONTHS, timeZoneOptions } from "./settings";

describe("settings helpers", () => {
  it("offers every IANA zone the runtime knows, UTC first and once", () => {
    const zones = timeZoneOptions();
    expect(zones[0]).toBe("UTC");
    expect(zones.filter((z) => z === "UTC")).toHaveLength(1);
    expect(zones).toContain("Europe/Berlin");
    expect(zones.length).toBeGreaterThan(100);
  });

  it("names the twelve months from January", () => {
    expect(MONTHS).toHaveLength(12);
    expect(MONTHS[6]).toBe("July");
  });
});
