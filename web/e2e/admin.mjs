// The Settings and Admin pages' journey, run by today.mjs after the Log journey, with Ada
// (the tenant's admin) signed in: Settings from the header (time zone to Europe/Berlin and
// back to UTC, "Web App" suppressed and back, the fiscal year editable); Admin from the
// header: invite "Hedy Admin" and see her link, a bad email refused as the service words
// it, Hedy accepts from node and shows as active, admin and back, disabled (confirmed) and
// enabled, removed (confirmed); the audit log shows it all by name, and a date range
// narrows it. A second invited person, "Ivy Member", signs in through the hosted login in
// a browser of her own and sees Admin's plain "only admins" message. axe on Settings, the
// people list with the invite form, and the audit log.
//
//   adminJourney(page, { base, shots, check, expect, email, password, refusing })
//     email, password  Ada's (the journey logs in from node as her too)
//     refusing(fn)     runs fn while the 4xx answers it provokes on purpose are expected

import { axeCheck } from "./axe.mjs";
import { api, noSidewaysScroll, required, shooter } from "./lib.mjs";

export async function adminJourney(page, { base, shots, check, expect, email, password, refusing: given }) {
  const refusing = required(given, "adminJourney");
  const main = page.locator("main");
  const nav = (p = page) => p.getByRole("navigation", { name: "Pages" });
  const stamp = Date.now();
  const HEDY = { name: "Hedy Admin", email: `hedy-${stamp}@example.com`, password: "hedys-own-password" };
  const IVY = { name: "Ivy Member", email: `ivy-${stamp}@example.com`, password: "ivys-own-password" };
  const shoot = shooter(page, shots);
  const call = api(base);
  const me = () => call("GET", "/v1/me", { token: ada });

  const ada = (await call("POST", "/local/login", { body: { username: email, password } })).id_token;

  const settingsCard = (name) => main.locator("section.card", { has: page.getByRole("heading", { level: 2, name }) });
  const people = main.locator("section.card", { has: page.getByRole("heading", { level: 2, name: "People" }) });
  const audit = main.locator("section.card", { has: page.getByRole("heading", { level: 2, name: "Audit log" }) });
  const personRow = (name) => people.locator("li.person", { has: page.getByRole("heading", { level: 3, name: new RegExp(`^${name}`) }) });

  await check("Settings: the header link opens it, with who Ada is and her settings", async () => {
    await nav().getByRole("link", { name: "Settings", exact: true }).click();
    await page.waitForURL(`${base}/settings`);
    await main.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    const you = settingsCard("You");
    await you.getByText(email).waitFor();
    await you.getByRole("button", { name: "Sign out" }).waitFor();
    expect((await settingsCard("Time zone").getByRole("combobox", { name: "Time zone" }).inputValue()) === "UTC", "the zone is not UTC");
  });

  await check("Settings: the time zone changes to Europe/Berlin, the app sees it, and back to UTC", async () => {
    const card = settingsCard("Time zone");
    const input = card.getByRole("combobox", { name: "Time zone" });
    // The list to search is there (the browser's IANA zones).
    const options = await card.locator("datalist option").count();
    expect(options > 100, `only ${options} zones offered`);
    await input.fill("Europe/Berlin");
    await card.getByRole("button", { name: "Save time zone" }).click();
    await card.getByText("Saved: your time zone is Europe/Berlin.").waitFor();
    await card.locator(".hint strong", { hasText: "Europe/Berlin" }).waitFor();
    const mine = await me();
    expect(mine.timeZone === "Europe/Berlin", `the service has ${mine.timeZone}`);
    // A zone the service does not know is refused, as it words it.
    await input.fill("Mars/Olympus");
    await refusing(async () => {
      await card.getByRole("button", { name: "Save time zone" }).click();
      await card.getByRole("alert").getByText(/unknown time zone "Mars\/Olympus"/).waitFor();
    });
    expect((await input.getAttribute("aria-invalid")) === "true", "the refused zone is not marked invalid");
    await input.fill("UTC");
    await card.getByRole("button", { name: "Save time zone" }).click();
    await card.getByText("Saved: your time zone is UTC.").waitFor();
    expect((await me()).timeZone === "UTC", "not back in UTC");
  });

  await check("Settings: “Web App” is suppressed (a chip) and un-suppressed again", async () => {
    const card = settingsCard("Suppressed projects");
    await card.getByText(/left out of your fiscal-year and “since” reports/).waitFor();
    const before = (await me()).suppressedProjects;
    const select = card.getByLabel("Project to suppress");
    await select.selectOption("Web App");
    await card.getByRole("button", { name: "Suppress", exact: true }).click();
    await card.getByText("Web App is now left out of reports.").waitFor();
    const chips = card.getByRole("list", { name: "Suppressed projects" });
    await chips.getByText("Web App", { exact: true }).waitFor();
    expect((await me()).suppressedProjects.includes("Web App"), "the service has not suppressed it");
    await chips.getByRole("button", { name: "Stop suppressing Web App" }).click();
    await card.getByText("Web App is counted in reports again.").waitFor();
    expect((await chips.getByText("Web App", { exact: true }).count()) === 0, "the chip stayed");
    const after = (await me()).suppressedProjects;
    expect(JSON.stringify(after) === JSON.stringify(before), `suppressed ${JSON.stringify(after)}, was ${JSON.stringify(before)}`);
  });

  await check("Settings: the fiscal year's start month is editable for Ada (an admin)", async () => {
    const card = settingsCard("Fiscal year");
    const select = card.getByLabel("Starts in");
    expect(await select.isEnabled(), "the month is not editable");
    expect((await select.inputValue()) === "7", `starts in month ${await select.inputValue()}`);
    await page.mouse.move(0, 0);
    await shoot("settings");
  });

  await check("axe on Settings", async () => {
    await axeCheck(page, "Settings");
  });

  await check("Admin: the header link opens the people and the invite form", async () => {
    await nav().getByRole("link", { name: "Admin", exact: true }).click();
    await page.waitForURL(`${base}/admin`);
    await main.getByRole("heading", { level: 1, name: "Admin" }).waitFor();
    await personRow("Ada Tester").getByText("active").waitFor();
  });

  await check("Admin: Ada removing her own admin standing (the last admin) is refused as the service words it", async () => {
    const row = personRow("Ada Tester");
    await refusing(async () => {
      await row.getByRole("button", { name: /^Remove admin/ }).click();
      await row.getByRole("alert").getByText("this is your tenant's last active administrator; make someone else an admin first").waitFor();
    });
    await row.getByText("last-admin").waitFor();
    await row.locator(".badge", { hasText: "admin" }).waitFor();
  });

  let link = "";
  await check("Admin: inviting Hedy Admin shows her link to pass on, with Copy", async () => {
    const form = page.getByRole("form", { name: "Invite someone" });
    await form.getByLabel("Name").fill(HEDY.name);
    await form.getByLabel("Email").fill(HEDY.email);
    await form.getByRole("button", { name: "Invite" }).click();
    const sent = page.getByRole("region", { name: "Invitation sent" });
    await sent.getByText(`${HEDY.name} is invited`).waitFor();
    expect(await sent.evaluate((el) => el === document.activeElement), "focus did not move to the invitation");
    link = await sent.getByLabel(`Invitation link for ${HEDY.name}`).inputValue();
    expect(link.startsWith(`${base}/local/invitations/`), `the link is ${link}`);
    await sent.getByRole("button", { name: "Copy link" }).click();
    await sent.getByText(/^(Copied\.|Could not copy here)/).waitFor();
    await personRow(HEDY.name).getByText("invited").waitFor();
  });

  await check("Admin: a bad email is refused with the service's message next to the form", async () => {
    const form = page.getByRole("form", { name: "Invite someone" });
    await form.getByLabel("Name").fill("Nobody Really");
    await form.getByLabel("Email").fill("not-an-email");
    await refusing(async () => {
      await form.getByRole("button", { name: "Invite" }).click();
      await form.getByRole("alert").getByText('"not-an-email" is not an email address like ada@example.com').waitFor();
    });
    expect((await form.getByLabel("Email").getAttribute("aria-invalid")) === "true", "the email is not marked invalid");
    await page.mouse.move(0, 0);
  });

  await check("axe on Admin's people list with the invite form (and its refusal)", async () => {
    await axeCheck(page, "Admin: people and the invite form");
  });

  await check("Admin: Hedy accepts her invitation (from node) and shows as active after a refresh", async () => {
    const accepted = await call("POST", link, { body: { password: HEDY.password } });
    expect(accepted.id_token, "accepting gave no id_token");
    await people.getByRole("button", { name: "Refresh" }).click();
    await personRow(HEDY.name).locator(".status", { hasText: "active" }).waitFor();
    await personRow(HEDY.name).getByText("Last seen").waitFor();
  });

  await check("Admin: Hedy is made an admin, then not", async () => {
    const row = personRow(HEDY.name);
    await row.getByRole("button", { name: /^Make admin/ }).click();
    await row.locator(".badge", { hasText: "admin" }).waitFor();
    await row.getByRole("button", { name: /^Remove admin/ }).click();
    await row.getByRole("button", { name: /^Make admin/ }).waitFor();
    expect((await row.locator(".badge", { hasText: "admin" }).count()) === 0, "still marked admin");
  });

  await check("Admin: disabling Hedy asks first (signs her out everywhere); she shows disabled; enabled again", async () => {
    const row = personRow(HEDY.name);
    await row.getByRole("button", { name: /^Disable/ }).click();
    const confirm = row.getByRole("alertdialog", { name: `Disable ${HEDY.name}?` });
    await confirm.getByText(/signs them out everywhere/).waitFor();
    const button = confirm.getByRole("button", { name: `Disable ${HEDY.name}` });
    expect(await button.evaluate((el) => el === document.activeElement), "the confirm button has no focus");
    await button.click();
    await row.locator(".status", { hasText: "disabled" }).waitFor();
    // Disabled, Hedy cannot sign in, or her token is refused (a 200 throws).
    const hedy = await call("POST", "/local/login", { body: { username: HEDY.email, password: HEDY.password }, expect: [200, 400, 401, 403] });
    await call("GET", "/v1/me", { token: hedy?.id_token, expect: [401, 403] });
    await row.getByRole("button", { name: /^Enable/ }).click();
    await row.locator(".status", { hasText: "active" }).waitFor();
  });

  await check("Admin: removing Hedy asks first (her entries stay); she shows removed", async () => {
    const row = personRow(HEDY.name);
    await row.getByRole("button", { name: /^Remove Hedy/ }).click();
    const confirm = row.getByRole("alertdialog", { name: `Remove ${HEDY.name} from the tenant?` });
    await confirm.getByText(/entries stay/).waitFor();
    await confirm.getByText(/leave every shared project/).waitFor();
    await confirm.getByRole("button", { name: `Remove ${HEDY.name}` }).click();
    await row.locator(".status", { hasText: "removed" }).waitFor();
    expect((await row.getByRole("button").count()) === 0, "a removed person still has actions");
  });

  await check("Admin: the status filter and the search narrow the people", async () => {
    await people.getByLabel("Status").selectOption("removed");
    await personRow(HEDY.name).waitFor();
    expect((await personRow("Ada Tester").count()) === 0, "Ada is listed among the removed");
    await people.getByLabel("Status").selectOption("");
    await people.getByLabel("Search by name or email").fill("hedy-");
    await personRow(HEDY.name).waitFor();
    expect((await people.locator("li.person").count()) === 1, "the search left others");
    await people.getByLabel("Search by name or email").fill("");
  });

  let ivyLink = "";
  await check("Admin: a second person, Ivy Member, is invited through the form", async () => {
    const form = page.getByRole("form", { name: "Invite someone" });
    await form.getByLabel("Name").fill(IVY.name);
    await form.getByLabel("Email").fill(IVY.email);
    await form.getByRole("button", { name: "Invite" }).click();
    const sent = page.getByRole("region", { name: "Invitation sent" });
    await sent.getByText(`${IVY.name} is invited`).waitFor();
    expect((await form.getByRole("alert").count()) === 0, "the earlier refusal is still shown");
    ivyLink = await sent.getByLabel(`Invitation link for ${IVY.name}`).inputValue();
    await personRow(IVY.name).getByText("invited").waitFor();
  });

  await check("Admin: the audit log shows these changes, newest first, by Ada's and Hedy's names", async () => {
    const records = audit.locator("li.audit-record");
    const forHedy = records.filter({ has: page.locator(".audit-subject", { hasText: HEDY.name }) });
    await forHedy.and(page.locator('[data-action="user.delete"]')).first().waitFor();
    const actions = await forHedy.evaluateAll((els) => els.map((el) => el.getAttribute("data-action")));
    expect(actions[0] === "user.delete", `the newest record for Hedy is ${actions[0]}`);
    for (const a of ["user.invite", "user.update", "user.delete"]) expect(actions.includes(a), `no ${a} for Hedy: ${actions}`);
    const first = forHedy.first();
    await first.locator(".audit-actor", { hasText: "Ada Tester" }).waitFor();
    await first.getByText("Ada Tester removed Hedy Admin").waitFor();
    for (const said of ["made an admin", "no longer an admin", "disabled", "enabled"]) {
      await forHedy.locator(".audit-summary", { hasText: new RegExp(`^${said}$`) }).first().waitFor();
    }
    // Details: before and after of an update.
    const update = forHedy.and(page.locator('[data-action="user.update"]')).first();
    await update.getByText("Before and after").click();
    await update.locator("pre").first().waitFor();
    // The action and person filters work on what was read.
    await audit.getByLabel("Action").selectOption("user.invite");
    expect(await records.evaluateAll((els) => els.every((el) => el.getAttribute("data-action") === "user.invite")), "other actions shown");
    expect((await records.count()) >= 2, "Hedy's and Ivy's invitations are not both there");
    await audit.getByLabel("Person").selectOption({ label: HEDY.name });
    await audit.getByText(/^1 of \d+ records/).waitFor();
    expect((await records.count()) === 1, `${await records.count()} invitations of Hedy`);
    await audit.getByLabel("Action").selectOption("");
    await audit.getByLabel("Person").selectOption("");
    await page.mouse.move(0, 0);
    await shoot("admin");
  });

  await check("axe on the audit log, with a record's details open", async () => {
    await axeCheck(page, "Admin: the audit log");
  });

  await check("Admin: a date range narrows the audit log (yesterday alone: none of today's changes)", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const y = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    await audit.getByLabel("From").fill(y);
    await audit.getByLabel("To").fill(y);
    await audit.getByRole("button", { name: "Show these dates" }).click();
    await audit.getByText("No changes in these days.").waitFor();
    await audit.getByLabel("From").fill(today);
    await audit.getByLabel("To").fill(today);
    await audit.getByRole("button", { name: "Show these dates" }).click();
    await audit.locator("li.audit-record").first().waitFor();
  });

  await check("Admin on a phone (390x844) and at 360 px: no sideways scrolling", async () => {
    await noSidewaysScroll(page, 390, 844, "Admin");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot("admin-phone", { fullPage: false });
    await people.scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector("#people-heading")?.scrollIntoView());
    await shoot("admin-phone-people", { fullPage: false });
    await page.evaluate(() => document.querySelector("#audit-heading")?.scrollIntoView());
    await shoot("admin-phone-audit", { fullPage: false });
    await noSidewaysScroll(page, 360, 740, "Admin");
    await nav().getByRole("link", { name: "Settings", exact: true }).click();
    await main.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    await noSidewaysScroll(page, 360, 740, "Settings");
    await shoot("settings-phone", { fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("a member (Ivy, invited) signs in in her own browser and sees Admin's plain “only admins” message", async () => {
    await call("POST", ivyLink, { body: { password: IVY.password } });
    const context = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
    const ivy = await context.newPage();
    ivy.setDefaultTimeout(10_000);
    const problems = [];
    ivy.on("console", (m) => {
      if (m.type() === "error" && !/\/favicon\.ico$/.test(m.location()?.url ?? "")) problems.push(m.text());
    });
    ivy.on("pageerror", (e) => problems.push(e.message));
    try {
      await ivy.goto(`${base}/admin`);
      await ivy.waitForURL(/\/oauth2\/authorize\?/);
      await ivy.getByLabel("Email or username").fill(IVY.email);
      await ivy.getByLabel("Password").fill(IVY.password);
      await ivy.getByRole("button", { name: "Sign in" }).click();
      await ivy.waitForURL(`${base}/admin`);
      await ivy.locator("main").getByText("Only your tenant’s admins can see this page.").waitFor();
      await nav(ivy).getByRole("link", { name: "Settings", exact: true }).waitFor();
      expect((await nav(ivy).getByRole("link", { name: "Admin", exact: true }).count()) === 0, "Ivy's header links Admin");
      await nav(ivy).getByRole("link", { name: "Settings", exact: true }).click();
      const fy = ivy.locator("section.card", { has: ivy.getByRole("heading", { name: "Fiscal year" }) });
      await fy.getByText("only your tenant’s admins can change it").waitFor();
      expect((await fy.getByRole("combobox").count()) === 0, "Ivy can pick the fiscal year's month");
      expect(problems.length === 0, `Ivy's page logged: ${problems.join("; ")}`);
    } finally {
      await context.close();
    }
  });

  await check("back on Today, in UTC", async () => {
    await nav().getByRole("link", { name: "Today", exact: true }).click();
    await page.waitForURL(`${base}/`);
    expect((await me()).timeZone === "UTC", "not in UTC");
  });
}
