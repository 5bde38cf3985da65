import { describe, expect, it } from "vitest";
import { shownProject, suggestedProjects } from "./projectNames";

describe("project names as people read them", () => {
  it("shows a colleague's project by its name, marked shared", () => {
    expect(shownProject("Web App")).toBe("Web App");
    expect(shownProject("d8dd4402-7809/Website Redesign")).toBe("Website Redesign (shared)");
  });

  it("offers shared projects by their plain name unless another project has it", () => {
    const projects = [
      { name: "Web App" },
      { name: "Website Redesign", shared: { logAs: "o-1/Website Redesign" } },
      { name: "Atlas", shared: { logAs: "o-2/Atlas" } },
      { name: "atlas" },
    ];
    expect(suggestedProjects(projects)).toEqual(["Web App", "Website Redesign", "o-2/Atlas", "atlas"]);
  });
});
