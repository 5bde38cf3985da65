// Drives the web app in headless Chromium against a running service, as a person would:
// signs up through the hosted login, starts and stops a timer, adds, edits and deletes
// entries, starts again from a recent task, moves between days, goes through the Week
// page (e2e/week.mjs), signs out and in again; axe-core checks Today, Week and the
// signed-out page (e2e/axe.mjs). Screenshots (desktop 1280x800, phone 390x844) go to
// TM_SHOTS_DIR.
//
//   TM_WEB_URL    the app (default http://127.0.0.1:5173, e.g. `npm run dev`)
//   TM_SHOTS_DIR  where screenshots go (default /tmp/web-shots)
//   CHROMIUM_PATH the browser (default /usr/bin/chromium)
//
// Exits non-zero on the first failed check, or when the page logged an unexpected error.

import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { adminJourney } from "./admin.mjs";
import { axeCheck } from "./axe.mjs";
import { api, noSidewaysScroll, refusals, shooter, sleep } from "./lib.mjs";
import { logJourney } from "./log.mjs";
import { reportsJourney } from "./reports.mjs";
import { projectsJourney } from "./projects.mjs";
import { weekSteps } from "./week.mjs";

const BASE = (process.env.TM_WEB_URL ?? "http://127.0.0.1:5173").replace(/\/+$/, "");
const SHOTS = process.env.TM_SHOTS_DIR ?? "/tmp/web-shots";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

const NAME = "Ada Tester";
const EMAIL = `ada-${Date.now()}@example.com`;
const PASSWORD = "correct-horse-battery";

const pad = (n) => String(n).padStart(2, "0");
const hhmm = (minutes) => `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;

let passed = 0;
let failed = 0;
async function check(what, fn) {
  const started = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${what} (${Date.now() - started} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${what}\n     ${String(e?.message ?? e).split("\n").slice(0, 6).join("\n     ")}`);
    throw e;
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-GB" });
const page = await context.newPage();
page.setDefaultTimeout(10_000);

// The browser logs every 4xx answer as a console error; the steps that provoke one on
// purpose say so (`refusing`), any other error fails the run.
const { refusing, expected: expectingRefusal } = refusals();
const problems = [];
page.on("console", (m) => {
  if (m.type() !== "error") return;
  const text = m.text();
  if (expectingRefusal() && /status of 4\d\d/.test(text)) return;
  const where = m.location()?.url ?? "";
  // The hosted login's own pages (the service's, not this app's) ask for a favicon it lacks.
  if (/\/favicon\.ico$/.test(where) && /status of 404/.test(text)) return;
  problems.push(`console: ${text} (${where} on ${page.url()})`);
});
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("response", (r) => {
  if (r.status() >= 400 && !expectingRefusal()) problems.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`);
});

const main = page.locator("main");
const timerCard = page.locator("section.timer");
const dayCard = page.locator("section.day");
const row = (text) => dayCard.locator("li.entry", { hasText: text });

const shoot = shooter(page, SHOTS);

// Times for entries that lie in the past of today (the person's zone is UTC after sign-up),
// or on the day before when it is too early in the day.
const nowUtc = new Date();
const nowMin = nowUtc.getUTCHours() * 60 + nowUtc.getUTCMinutes();
const useYesterday = nowMin < 4 * 60 + 10;
const base = useYesterday ? 8 * 60 : Math.floor((nowMin - 4 * 60) / 15) * 15;

try {
  await check("an unsigned visit goes to the hosted login", async () => {
    await page.goto(`${BASE}/`);
    await page.waitForURL(/\/oauth2\/authorize\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get("code_challenge_method") === "S256", "no S256 challenge");
    expect(url.searchParams.get("redirect_uri") === `${BASE}/callback`, `redirect_uri ${url.searchParams.get("redirect_uri")}`);
    expect((url.searchParams.get("state") ?? "").length >= 16, "no state");
  });

  await check("signing up through “Create an account” comes back to Today", async () => {
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Your name").fill(NAME);
    await page.getByLabel("Email").fill(EMAIL);
    await page.getByLabel(/Password/).fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${BASE}/`);
    await page.locator(".who-name", { hasText: NAME }).waitFor();
    await dayCard.getByRole("heading", { name: "Today" }).waitFor();
    await dayCard.getByText("Nothing logged yet today.").waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(!/eyJ/.test(stored), "a token was left in web storage");
  });

  await check("a timer starts and its elapsed time ticks", async () => {
    // Start late in a minute so that it can be stopped a few seconds later
    // (the service refuses an entry that starts and ends in the same minute).
    while (new Date().getSeconds() < 48) await sleep(500);
    await timerCard.getByLabel("Task").fill("Building the Today page");
    await timerCard.getByLabel("Project").fill("Web App");
    await timerCard.getByLabel("Tags").fill("Frontend, react");
    await timerCard.getByRole("button", { name: "Start" }).click();
    const clock = timerCard.getByRole("timer");
    await clock.waitFor();
    const first = await clock.textContent();
    await sleep(2200);
    const second = await clock.textContent();
    expect(/^\d+:\d\d:\d\d$/.test(second ?? ""), `elapsed reads ${second}`);
    expect(first !== second, `elapsed stayed at ${first}`);
    await timerCard.getByText("Building the Today page").waitFor();
    // The service's notes about the write are shown by the fields they concern.
    await timerCard.getByText(/normalised to "frontend"/).waitFor();
    await row("Building the Today page").getByText("running").waitFor();
    await shoot("desktop-timer-running");
  });

  await check("the timer stops and its entry is on the day", async () => {
    while (new Date().getSeconds() >= 48) await sleep(500);
    await timerCard.getByRole("button", { name: "Stop" }).click();
    await timerCard.getByRole("button", { name: "Start" }).waitFor();
    const r = row("Building the Today page");
    await r.waitFor();
    expect((await r.getByText("running").count()) === 0, "the entry still shows as running");
  });

  if (useYesterday) {
    await check("going to the previous day (too early today for past entries)", async () => {
      await dayCard.getByRole("button", { name: /Previous day/ }).click();
      await dayCard.getByText("Nothing logged on this day.").waitFor();
    });
  }

  await check("an entry is added inline, with the service's notes next to its fields", async () => {
    await dayCard.getByRole("button", { name: "+ Add entry" }).click();
    const form = dayCard.getByRole("form", { name: "New entry" });
    await form.getByLabel("Start").fill(hhmm(base));
    await form.getByLabel("End").fill(hhmm(base + 75));
    await form.getByLabel("Task").fill("Planning the week with the team");
    await form.getByLabel("Project").fill("Web App");
    await form.getByLabel("Tags").fill("Planning");
    await form.getByLabel("Notes").fill("Agreed on the first web step.");
    await form.getByRole("button", { name: "Add entry" }).click();
    const r = row("Planning the week with the team");
    await r.waitFor();
    await r.getByText(`${hhmm(base)}–${hhmm(base + 75)}`).waitFor();
    await r.getByText("1:15").waitFor();
    await r.getByText("#planning").waitFor();
    await r.getByText(/normalised to "planning"/).waitFor();
    await dayCard.getByRole("button", { name: "+ Add entry" }).waitFor();
  });

  await check("a refused entry shows the service's error next to the form", async () => {
    await dayCard.getByRole("button", { name: "+ Add entry" }).click();
    const form = dayCard.getByRole("form", { name: "New entry" });
    await form.getByLabel("Start").fill(hhmm(base + 30));
    await form.getByLabel("End").fill(hhmm(base + 60));
    await form.getByLabel("Task").fill("Overlapping by mistake");
    await refusing(async () => {
      await form.getByRole("button", { name: "Add entry" }).click();
      const alert = form.getByRole("alert");
      await alert.waitFor();
      const text = await alert.textContent();
      expect(/overlap/i.test(text ?? ""), `the alert says: ${text}`);
      await form.getByText(/overlaps/).first().waitFor();
    });
    await shoot("desktop-add-refused");
    await form.getByRole("button", { name: "Cancel" }).click();
    expect((await dayCard.getByText("Overlapping by mistake").count()) === 0, "the refused entry is shown");
  });

  await check("a gap between entries is shown with its length", async () => {
    await dayCard.getByRole("button", { name: "+ Add entry" }).click();
    const form = dayCard.getByRole("form", { name: "New entry" });
    await form.getByLabel("Start").fill(hhmm(base + 120));
    await form.getByLabel("End").fill(hhmm(base + 150));
    await form.getByLabel("Task").fill("Scratch entry to delete");
    await form.getByRole("button", { name: "Add entry" }).click();
    await row("Scratch entry to delete").waitFor();
    const gap = dayCard.locator("li.gap", { hasText: `${hhmm(base + 75)}–${hhmm(base + 120)}` });
    // Exact: a gap ending at hh:45 (20:00–20:45) holds "0:45" in its times too.
    await gap.getByText("0:45", { exact: true }).waitFor();
    // The total is the sum of the entries' durations.
    const sum = await dayCard.locator("li.entry .entry-duration time").evaluateAll((els) =>
      els.reduce((n, el) => {
        const [h, m] = (el.textContent ?? "0:00").split(":").map(Number);
        return n + h * 60 + m;
      }, 0),
    );
    expect(sum >= 105, `entries add up to ${sum} minutes`);
    await dayCard.locator(".day-summary").getByText(hhmm(sum).replace(/^0(?=\d:)/, "")).waitFor();
  });

  await check("an entry is edited inline", async () => {
    await row("Planning the week with the team").getByRole("button", { name: /^Edit/ }).click();
    const form = dayCard.getByRole("form", { name: /^Edit/ });
    await form.getByLabel("Task").fill("Planning the week with the whole team");
    await form.getByLabel("End").fill(hhmm(base + 90));
    await form.getByRole("button", { name: "Save" }).click();
    const r = row("Planning the week with the whole team");
    await r.waitFor();
    await r.getByText("1:30").waitFor();
  });

  await check("deleting an entry asks first, and Keep it keeps it", async () => {
    const r = row("Scratch entry to delete");
    await r.getByRole("button", { name: /^Delete/ }).click();
    await r.getByRole("button", { name: "Keep it" }).click();
    await r.getByRole("button", { name: /^Delete/ }).click();
    const confirm = r.getByRole("button", { name: "Delete entry" });
    expect(await confirm.evaluate((el) => el === document.activeElement), "the confirm button has no focus");
    await confirm.click();
    await row("Scratch entry to delete").waitFor({ state: "detached" });
  });

  if (useYesterday) {
    await check("back to today", async () => {
      await dayCard.getByRole("button", { name: "Back to today" }).click();
      await dayCard.getByRole("heading", { name: "Today" }).waitFor();
    });
  }

  await check("one click starts again from a recent task, and a timer can be discarded", async () => {
    const recent = page.locator("section.recent");
    await recent.getByRole("button", { name: /^Start again: Planning the week with the whole team/ }).click();
    await timerCard.getByRole("timer").waitFor();
    await timerCard.getByText("Planning the week with the whole team").waitFor();
    await timerCard.getByRole("button", { name: "Discard" }).click();
    await timerCard.getByRole("button", { name: "Discard timer" }).click();
    await timerCard.getByRole("button", { name: "Start" }).waitFor();
  });

  await check("a timer started elsewhere (as tm does, through the API) shows on the open page within a second, without a reload", async () => {
    const call = api(BASE);
    const token = (await call("POST", "/local/login", { body: { username: EMAIL, password: PASSWORD } })).id_token;
    const navigations = [];
    const onNavigate = (frame) => frame === page.mainFrame() && navigations.push(frame.url());
    page.on("framenavigated", onNavigate);
    const started = Date.now();
    const entry = await call("POST", "/v1/timer/start", { token, body: { task: "Started from the terminal", project: "Web App" } });
    await timerCard.getByText("Started from the terminal").waitFor({ timeout: 1000 });
    const shown = Date.now() - started;
    expect(navigations.length === 0, `the page reloaded: ${navigations.join(", ")}`);
    console.log(`  (live: shown ${shown} ms after the API answered the start)`);
    // Discarded elsewhere: gone from the page too.
    await call("DELETE", `/v1/entries/${entry.id}`, { token, expect: [204] });
    await timerCard.getByRole("button", { name: "Start" }).waitFor({ timeout: 1000 });
    page.off("framenavigated", onNavigate);
  });

  await check("previous and next day move through the days", async () => {
    await dayCard.getByRole("button", { name: /Previous day/ }).click();
    await dayCard.getByRole("button", { name: "Back to today" }).waitFor();
    expect(/\?date=\d{4}-\d{2}-\d{2}$/.test(page.url()), `url ${page.url()}`);
    await dayCard.getByRole("button", { name: /Next day/ }).click();
    await dayCard.getByRole("heading", { name: "Today" }).waitFor();
  });

  await check("desktop screenshot with a running timer", async () => {
    await timerCard.getByLabel("Task").fill("Writing the report for the step");
    await timerCard.getByLabel("Project").fill("Web App");
    await timerCard.getByRole("button", { name: "Start" }).click();
    await timerCard.getByRole("timer").waitFor();
    await page.mouse.move(0, 0);
    await shoot("desktop-today");
  });

  await check("axe on Today, signed in, with entries and a running timer", async () => {
    await axeCheck(page, "Today");
  });

  await weekSteps({
    page,
    BASE,
    check,
    expect,
    shoot,
    EMAIL,
    PASSWORD,
    refusing,
  });

  await check("keyboard: the first Tab shows the skip link, focus is visible", async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => {
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute("tabindex");
    });
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to content" });
    expect(await skip.evaluate((el) => el === document.activeElement), "the skip link is not focused first");
    await timerCard.getByRole("button", { name: "Stop" }).focus();
    const outline = await timerCard.getByRole("button", { name: "Stop" }).evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline !== "none", "no focus outline");
    await shoot("desktop-focus");
  });

  await check("phone (390x844): no sideways scrolling", async () => {
    await noSidewaysScroll(page, 390, 844, "Today");
    await shoot("phone-today");
    // The timer's entry: always on today, where the page is (the others are yesterday's before 04:10 UTC).
    await row("Building the Today page").getByRole("button", { name: /^Edit/ }).click();
    await shoot("phone-edit");
    await dayCard.getByRole("form", { name: /^Edit/ }).getByRole("button", { name: "Cancel" }).click();
  });

  await check("360px wide: no sideways scrolling", async () => {
    await noSidewaysScroll(page, 360, 740, "Today");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("sign out shows the signed-out page; Sign in comes back to Today", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "You are signed out" }).waitFor();
    await shoot("desktop-signed-out");
    await axeCheck(page, "the signed-out page");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/oauth2\/authorize\?/);
    await page.getByLabel("Email or username").fill(EMAIL);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${BASE}/`);
    await timerCard.getByText("Writing the report for the step").waitFor();
  });

  await check("a reload signs in again without the password and comes back to the same page", async () => {
    await dayCard.getByRole("button", { name: /Previous day/ }).click();
    await page.waitForURL(/\?date=/);
    const before = page.url();
    // Tokens live in memory only: a reload goes through the hosted login, which
    // remembers this browser (as Cognito does) and sends it straight back.
    const authorized = page.waitForResponse((r) => r.url().includes("/oauth2/authorize?") && r.status() === 303);
    await page.reload();
    await authorized;
    await page.waitForURL(before);
    await dayCard.getByRole("button", { name: "Back to today" }).waitFor();
    await dayCard.getByRole("button", { name: "Back to today" }).click();
    await timerCard.getByText("Writing the report for the step").waitFor();
  });

  await check("after a reload, Back goes to the page before it (the sign-in round trip leaves no entries)", async () => {
    await page.getByRole("link", { name: "Week", exact: true }).click();
    await page.waitForURL(`${BASE}/week`);
    await page.reload();
    await page.waitForURL(`${BASE}/week`);
    await page.locator("table.week-grid").waitFor();
    await page.goBack();
    await page.waitForURL(`${BASE}/`);
    await dayCard.getByRole("heading", { name: "Today" }).waitFor();
    expect(!page.url().includes("/callback"), `Back landed on ${page.url()}`);
  });

  await logJourney(page, { base: BASE, shots: SHOTS, check, expect });

  await reportsJourney(page, { base: BASE, shots: SHOTS, check, expect, email: EMAIL, password: PASSWORD, refusing });
  await projectsJourney(page, { base: BASE, shots: SHOTS, check, expect, email: EMAIL, password: PASSWORD, refusing });
  await adminJourney(page, { base: BASE, shots: SHOTS, check, expect, email: EMAIL, password: PASSWORD, refusing });

  await check("no unexpected console errors", async () => {
    expect(problems.length === 0, problems.join("\n"));
  });
} catch {
  // reported by check()
} finally {
  await browser.close();
  if (problems.length) console.log(`page problems:\n  ${problems.join("\n  ")}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
