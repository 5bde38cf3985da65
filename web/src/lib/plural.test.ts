import { describe, expect, it } from "vitest";
import { count, plural } from "./plural";

describe("count", () => {
  it("says one in the singular and every other number in the plural", () => {
    expect(count(1, "person", "people")).toBe("1 person");
    expect(count(0, "person", "people")).toBe("0 people");
    expect(count(3, "record", "records")).toBe("3 records");
    expect(plural(1, "record", "records")).toBe("record");
    expect(plural(2, "record", "records")).toBe("records");
  });
});
