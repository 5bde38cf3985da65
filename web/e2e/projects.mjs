// The Projects journey, run by today.mjs after the Log journey (Ada is signed in and has the
// project "Web App" with entries): sets up a colleague through the API (Grace Projects,
// invited and active, who shares her "Grace Research" with Ada as a viewer), then in the
// browser opens Projects from the header, sees Grace's project read-only, creates "Projects
// Demo" with a goal and a direction, is refused a second one of that name, edits its goals
// and status (seen again after a reload), shares it with Grace chosen by name in the
// picker, changes her role, is refused a rename while it is shared, archives it (gone from
// the list, back with "Show archived"), deletes an empty "Projects Scratch" (Escape and
// Keep it first), is refused deleting "Projects Late Entry" that got an entry meanwhile
// (the page reloads it, focus on the refusal; archived instead), renames
// "Projects Merge" (one entry, made through the API) and merges it into Web App. axe-core
// checks the list, the new-project form and a project's view with the member picker open.
//
//   projectsJourney(page, { base, shots, check, expect, email, password, refusing })
//     base      the app's origin (TM_WEB_URL); the service is on the same origin
//     shots     the screenshot folder
//     check     (what, fn) => runs and reports one step; expect(cond, message) throws
//     email, password  Ada's sign-in, for the API set-up
//     refusing  (fn) => runs fn while the 4xx answers it provokes on purpose are expected

import { axeCheck } from "./axe.mjs";
import { api, invitePerson, noSidewaysScroll, required, shooter, sleep } from "./lib.mjs";

export async function projectsJourney(page, { base, shots, check, expect, email, password, refusing }) {
  const main = page.locator("main");
  const stamp = Date.now();
  const GRACE = "Grace Projects";
  const graceEmail = `grace-${stamp}@example.com`;
  const DEMO = "Projects Demo";
  const SCRATCH = "Projects Scratch";
  const MERGE = "Projects Merge";
  const MERGED = "Projects Merged";
  const LATE = "Projects Late Entry";
  const THEIRS = "Grace Research"; // Grace is new in each run, so is her project
  const refused = required(refusing, "projectsJourney");
  const call = api(base);
  const shoot = shooter(page, shots);
  const item = (name) => main.locator("li.project-item", { has: page.getByRole("link", { name, exact: true }) });

  await check("Projects: set-up through the API — Grace Projects invited and active", async () => {
    const ada = await call("POST", "/local/login", { body: { username: email, password } });
    const grace = await invitePerson(call, { adminToken: ada.id_token, email: graceEmail, name: GRACE, password: "graces-own-password" });
    // Grace shares a project of hers with Ada, as a viewer.
    await call("POST", "/v1/projects", { token: grace.id_token, body: { name: THEIRS, departmentalGoals: ["Research"] } });
    await call("PUT", `/v1/projects/${encodeURIComponent(THEIRS)}/members/${encodeURIComponent(email)}`, {
      token: grace.id_token,
      body: { role: "viewer" },
    });
    const people = await call("GET", "/v1/users", { token: ada.id_token });
    const graceListed = people.people.find((p) => p.email === graceEmail);
    expect(graceListed?.status === "active", `Grace is ${graceListed?.status}`);
  });

  await check("Projects: the header link opens the list, with Web App in it", async () => {
    await page.getByRole("link", { name: "Projects", exact: true }).click();
    await page.waitForURL(`${base}/projects`);
    await main.getByRole("heading", { level: 1, name: "Projects" }).waitFor();
    await item("Web App").waitFor();
    await item("Web App").getByText("Active").waitFor();
    await item(THEIRS).getByText(`${GRACE}’s project · you are a viewer`).waitFor();
    await axeCheck(page, "the project list");
  });

  await check("Projects: a colleague's project shared with one is read-only for a viewer, saying why", async () => {
    await item(THEIRS).getByRole("link", { name: THEIRS }).click();
    await main.getByRole("heading", { level: 1, name: THEIRS }).waitFor();
    expect(new URL(page.url()).searchParams.get("owner"), "no owner in the address");
    await main.getByText(`You are a viewer on ${GRACE}’s project: only its owner and its admins change its details and members.`).waitFor();
    expect((await main.getByRole("button", { name: "Edit details" }).count()) === 0, "a viewer is offered Edit details");
    const members = main.locator("section.project-members");
    await members.locator("li.member", { hasText: GRACE }).getByText("Owner").waitFor();
    await members.locator("li.member", { hasText: "Ada Tester" }).getByRole("button", { name: "Leave" }).waitFor();
    await main.getByRole("link", { name: "All projects" }).click();
    await item("Web App").waitFor();
  });

  await check("Projects: a new project with a departmental goal and a strategic direction", async () => {
    await main.getByRole("button", { name: "New project" }).click();
    const form = main.getByRole("form", { name: "New project" });
    const name = form.getByLabel("Name");
    expect(await name.evaluate((el) => el === document.activeElement), "the Name field has no focus");
    await name.fill(DEMO);
    await form.getByRole("textbox", { name: "Add a goal" }).fill("Ship the web app");
    await form.getByRole("button", { name: "Add goal" }).click();
    await form.getByRole("textbox", { name: "Add a goal" }).fill("Cut support time");
    await form.getByRole("textbox", { name: "Add a goal" }).press("Enter");
    await form.getByRole("textbox", { name: "Add a direction" }).fill("Self-service first");
    await form.getByRole("button", { name: "Add direction" }).click();
    await form.getByLabel("Tags").fill("web, planning");
    await form.getByLabel("Summary").fill("The projects page, end to end.");
    await axeCheck(page, "the new-project form");
    await shoot("projects-new");
    await form.getByRole("button", { name: "Create project" }).click();
    const created = main.locator(".project-created");
    await created.getByText(`Created ${DEMO}.`).waitFor();
    const open = created.getByRole("link", { name: `Open ${DEMO}` });
    expect(await open.evaluate((el) => el === document.activeElement), "focus is not on the new project's link");
    const demo = item(DEMO);
    await demo.getByText("Ship the web app, Cut support time").waitFor();
    await demo.getByText("Self-service first").waitFor();
    await demo.getByText("#web, #planning").waitFor();
  });

  await check("Projects: a second “Projects Demo” is refused with the service's message", async () => {
    await main.getByRole("button", { name: "New project" }).click();
    const form = main.getByRole("form", { name: "New project" });
    await form.getByLabel("Name").fill(DEMO);
    await refused(async () => {
      await form.getByRole("button", { name: "Create project" }).click();
      const alert = form.getByRole("alert");
      await alert.waitFor();
      const text = (await alert.textContent()) ?? "";
      expect(/exists already/.test(text) && /project-exists/.test(text), `the alert says: ${text}`);
    });
    expect((await form.getByLabel("Name").getAttribute("aria-invalid")) === "true", "the name is not marked invalid");
    await form.getByRole("button", { name: "Cancel" }).click();
    await main.getByRole("form", { name: "New project" }).waitFor({ state: "detached" });
  });

  await check("Projects: its view; goals edited (one added, one removed) and status, kept after a reload", async () => {
    await item(DEMO).getByRole("link", { name: DEMO }).click();
    await page.waitForURL(`${base}/projects/${encodeURIComponent(DEMO)}`);
    await main.getByRole("heading", { level: 1, name: DEMO }).waitFor();
    await main.getByText("No entries yet.").waitFor();
    await main.getByRole("button", { name: "Edit details" }).click();
    const form = main.getByRole("form", { name: `Edit the details of ${DEMO}` });
    await form.getByRole("button", { name: "Remove goal “Cut support time”" }).click();
    await form.getByRole("textbox", { name: "Add a goal" }).fill("Fewer spreadsheets");
    await form.getByRole("button", { name: "Add goal" }).click();
    await form.getByLabel("Status").selectOption("On Hold");
    await form.getByRole("button", { name: "Save details" }).click();
    await main.getByText("Saved the details.").waitFor();
    const details = main.locator(".project-details");
    await details.getByText("Ship the web app, Fewer spreadsheets").waitFor();
    expect((await main.getByRole("button", { name: "Edit details" }).evaluate((el) => el === document.activeElement)), "focus is not back on Edit details");
    // A reload goes through the hosted login (which remembers the browser) and loads everything again.
    await page.reload();
    await main.getByRole("heading", { level: 1, name: DEMO }).waitFor();
    await details.getByText("Ship the web app, Fewer spreadsheets").waitFor();
    expect((await details.getByText("Cut support time").count()) === 0, "the removed goal is back");
    await main.locator(".project-head").getByText("On Hold").waitFor();
  });

  await check("Projects: shared with Grace chosen by name in the picker, as a contributor", async () => {
    const members = main.locator("section.project-members");
    await members.getByText("Not shared: only you see it.").waitFor();
    const picker = members.getByRole("combobox", { name: "Person" });
    await picker.fill("grace");
    const option = members.getByRole("option", { name: new RegExp(`^${GRACE}`) });
    await option.waitFor();
    expect((await members.getByRole("option", { name: /Ada Tester/ }).count()) === 0, "the owner is offered");
    await axeCheck(page, "a project's view with the member picker open");
    await option.click();
    await members.getByText(`Chosen: ${GRACE} (${graceEmail})`).waitFor();
    await members.getByRole("radio", { name: /^Contributor/ }).check();
    await members.getByRole("button", { name: "Add member" }).click();
    await main.getByText(`Added ${GRACE} as a contributor.`).waitFor();
    const row = members.locator("li.member", { hasText: GRACE });
    expect((await row.getByLabel(`Role of ${GRACE}`).inputValue()) === "contributor", "Grace is not a contributor");
    await members.locator("li.member", { hasText: "Ada Tester" }).getByText("Owner").waitFor();
  });

  await check("Projects: Grace's role changed to viewer; the members listed by name", async () => {
    const members = main.locator("section.project-members");
    await members.getByLabel(`Role of ${GRACE}`).selectOption("viewer");
    await main.getByText(`${GRACE} is now a viewer.`).waitFor();
    const listed = members.getByRole("list", { name: "Members" }).getByRole("listitem");
    const names = await listed.evaluateAll((els) => els.map((el) => el.textContent ?? ""));
    expect(names.length === 2 && names[0].startsWith("Ada Tester") && names[1].startsWith(GRACE), `members: ${names.join(", ")}`);
    await main.locator(".project-head").getByText("Shared with 1 person").waitFor();
    // Picked people are not offered again.
    const picker = members.getByRole("combobox", { name: "Person" });
    await picker.fill("grace");
    await members.getByText("No one else matches “grace”.").waitFor();
    await picker.fill("");
    await picker.press("Escape");
    await picker.blur();
    await page.mouse.move(0, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot("project");
  });

  await check("Projects: renaming a shared project is refused in the service's words", async () => {
    const rename = main.getByRole("form", { name: "Rename" });
    await rename.getByLabel("New name").fill("Projects Demo Renamed");
    await refused(async () => {
      await rename.getByRole("button", { name: "Rename" }).click();
      const alert = rename.getByRole("alert");
      await alert.waitFor();
      const text = (await alert.textContent()) ?? "";
      expect(/is shared; its members log time under this name/.test(text) && /shared-project-rename/.test(text), `the alert says: ${text}`);
    });
    expect(new URL(page.url()).pathname === `/projects/${encodeURIComponent(DEMO)}`, `the address is ${page.url()}`);
    await rename.getByLabel("New name").fill(DEMO);
  });

  await check("Projects: archived, it leaves the list and comes back with “Show archived”", async () => {
    await main.getByRole("button", { name: "Archive", exact: true }).click();
    await main.getByText(`Archived ${DEMO}: it is left out of the project list`).waitFor();
    await main.locator(".project-head").getByText("Archived").waitFor();
    await main.getByRole("link", { name: "All projects" }).click();
    await page.waitForURL(`${base}/projects`);
    await item("Web App").waitFor();
    expect((await item(DEMO).count()) === 0, `${DEMO} is still listed`);
    await main.getByLabel("Show archived").check();
    await page.waitForURL(`${base}/projects?archived=true`);
    await item(DEMO).getByText("Archived").waitFor();
    await item(DEMO).getByText("Shared with 1 person").waitFor();
    await page.mouse.move(0, 0);
    await shoot("projects");
    await main.getByLabel("Show archived").uncheck();
    await page.waitForURL(`${base}/projects`);
    await item(DEMO).waitFor({ state: "detached" });
  });

  await check("Projects: an empty project is deleted after asking first", async () => {
    await main.getByRole("button", { name: "New project" }).click();
    const form = main.getByRole("form", { name: "New project" });
    await form.getByLabel("Name").fill(SCRATCH);
    await form.getByRole("button", { name: "Create project" }).click();
    await main.locator(".project-created").getByRole("link", { name: `Open ${SCRATCH}` }).click();
    await main.getByRole("heading", { level: 1, name: SCRATCH }).waitFor();
    await main.getByText("It has no entries, so it can be deleted.").waitFor();
    await main.getByRole("button", { name: "Delete project…" }).click();
    // The question is an alert dialog; Escape answers "no", back on the button that asked.
    const question = main.getByRole("alertdialog", { name: `Delete ${SCRATCH}?` });
    await question.getByText("This cannot be undone.", { exact: false }).waitFor();
    await page.keyboard.press("Escape");
    await question.waitFor({ state: "detached" });
    expect(await main.getByRole("button", { name: "Delete project…" }).evaluate((el) => el === document.activeElement), "Escape did not go back to Delete project…");
    await main.getByRole("button", { name: "Delete project…" }).click();
    await main.getByRole("button", { name: "Keep it" }).click();
    await main.getByRole("button", { name: "Delete project…" }).click();
    const confirm = main.getByRole("button", { name: `Delete ${SCRATCH}` });
    expect(await confirm.evaluate((el) => el === document.activeElement), "the confirm button has no focus");
    await confirm.click();
    await page.waitForURL(`${base}/projects`);
    await main.getByText(`Deleted ${SCRATCH}.`).waitFor();
    await item("Web App").waitFor();
    expect((await item(SCRATCH).count()) === 0, `${SCRATCH} is still listed`);
  });

  await check("Projects: a delete refused (it got an entry meanwhile) reloads the project, with focus on the service's message", async () => {
    const ada = await call("POST", "/local/login", { body: { username: email, password } });
    await call("POST", "/v1/projects", { token: ada.id_token, body: { name: LATE } });
    await page.reload();
    await item(LATE).getByRole("link", { name: LATE }).click();
    await main.getByRole("heading", { level: 1, name: LATE }).waitFor();
    await main.getByText("It has no entries, so it can be deleted.").waitFor();
    // Long ago, so that it overlaps nothing of the other journeys.
    await call("POST", "/v1/entries", {
      token: ada.id_token,
      body: { date: "2026-01-06", startTime: "09:00", endTime: "09:30", task: "Logged meanwhile", project: LATE },
    });
    await main.getByRole("button", { name: "Delete project…" }).click();
    await refused(async () => {
      await main.getByRole("button", { name: `Delete ${LATE}` }).click();
      const alert = main.getByRole("alert").filter({ hasText: "project-has-entries" });
      await alert.waitFor();
      await main.getByText("It has 1 entry, so it cannot be deleted: archive it to put it away, or merge it into another project.").waitFor();
      expect(await alert.evaluate((el) => el.parentElement === document.activeElement), "focus is not on the refusal");
    });
    expect((await main.getByText("It has no entries, so it can be deleted.").count()) === 0, "the page still says it can be deleted");
    await main.getByRole("button", { name: "Archive it instead" }).click();
    await main.getByText(`Archived ${LATE}: it is left out of the project list`).waitFor();
    await main.getByRole("link", { name: "All projects" }).click();
    await item("Web App").waitFor();
  });

  await check("Projects: a project renamed, then merged into Web App after asking, saying how many entries moved", async () => {
    const ada = await call("POST", "/local/login", { body: { username: email, password } });
    await call("POST", "/v1/projects", { token: ada.id_token, body: { name: MERGE } });
    // Long ago, so that it overlaps nothing of the other journeys.
    await call("POST", "/v1/entries", {
      token: ada.id_token,
      body: { date: "2026-01-05", startTime: "09:00", endTime: "09:45", task: "Scoping the merge", project: MERGE },
    });
    await page.reload();
    await item(MERGE).getByRole("link", { name: MERGE }).click();
    await main.getByRole("heading", { level: 1, name: MERGE }).waitFor();
    const rename = main.getByRole("form", { name: "Rename" });
    await rename.getByLabel("New name").fill(MERGED);
    await rename.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(`${base}/projects/${encodeURIComponent(MERGED)}`);
    await main.getByText(`Renamed ${MERGE} to ${MERGED}.`).waitFor();
    await main.getByText("Scoping the merge").waitFor();
    await main.getByLabel("Merge into").selectOption("Web App");
    await main.getByRole("button", { name: "Merge…" }).click();
    await main.getByText(`Move the 1 entry of ${MERGED} into Web App, and remove ${MERGED}? This cannot be undone.`).waitFor();
    await main.getByRole("button", { name: "Merge into Web App" }).click();
    const done = main.getByRole("heading", { level: 1, name: `${MERGED} was merged into Web App` });
    await done.waitFor();
    expect(await done.evaluate((el) => el === document.activeElement), "focus is not on the merge's result");
    await main.getByText(`1 entry moved to Web App; ${MERGED} is gone.`).waitFor();
    await main.getByRole("link", { name: "All projects" }).click();
    await item("Web App").waitFor();
    expect((await item(MERGED).count()) === 0, `${MERGED} is still listed`);
  });

  await check("Projects: Web App with entries shows its hours and offers no delete", async () => {
    await item("Web App").getByRole("link", { name: "Web App" }).click();
    await main.getByRole("heading", { level: 1, name: "Web App" }).waitFor();
    const entries = Number(await main.locator(".project-totals dt", { hasText: "Entries" }).locator("xpath=following-sibling::dd").textContent());
    expect(entries > 0, `Web App has ${entries} entries`);
    await main.getByText(/Planning the week with the whole team/).first().waitFor();
    await main.getByText(/so it cannot be deleted: archive it/).waitFor();
    expect((await main.getByRole("button", { name: "Delete project…" }).count()) === 0, "Delete is offered for a project with entries");
  });

  await check("Projects: phone (390x844) and 360 px without sideways scrolling", async () => {
    await noSidewaysScroll(page, 390, 844, "a project's view");
    await shoot("project-phone");
    await main.getByRole("link", { name: "All projects" }).click();
    await item("Web App").waitFor();
    await sleep(200);
    await noSidewaysScroll(page, 390, 844, "the list");
    await shoot("projects-phone");
    await noSidewaysScroll(page, 360, 740, "the list");
    await page.setViewportSize({ width: 1280, height: 800 });
  });
}
