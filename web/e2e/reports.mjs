// The Reports and Team pages' journey, run by today.mjs after the Log journey, once Ada has
// entries (project "Web App", tags) from Today and Week: opens Reports from the header;
// the fiscal year report shows Web App in the chart (named in the chart's accessible name,
// its bars drawn on the canvas) and in the table with the service's hours; grouped by tag; a range of
// one day; a week; since a task; CSV and Markdown downloads; a refused since text; axe;
// then a colleague, Linus, on a project Ada shares with him, and the Team page by person.
//
//   reportsJourney(page, { base, shots, check, expect, email, password, refusing })
//     base      the app's origin (TM_WEB_URL); email, password: Ada's sign-in
//     shots     the screenshot folder
//     check     (what, fn) => runs and reports one step; expect(cond, message) throws
//     refusing  (fn) => runs fn while the 4xx answers it provokes on purpose are expected

import { readFileSync } from "node:fs";
import { axeCheck } from "./axe.mjs";
import { api, invitePerson, noSidewaysScroll, required, shooter, sleep } from "./lib.mjs";

const pad = (n) => String(n).padStart(2, "0");
const hm = (m) => `${Math.floor(m / 60)}:${pad(m % 60)}`;
const iso = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const addDays = (date, n) => {
  const [y, m, d] = date.split("-").map(Number);
  return iso(new Date(Date.UTC(y, m - 1, d + n)));
};
const mondayOf = (date) => addDays(date, 1 - (new Date(`${date}T00:00:00Z`).getUTCDay() || 7));

export async function reportsJourney(page, { base, shots, check, expect, email, password, refusing }) {
  const main = page.locator("main");
  const report = main.locator("section.report");
  const canvas = report.getByRole("img", { name: /^Bar chart of / });
  const table = report.locator("table.report-table");
  const projectRow = (name) => table.locator("tr.report-project", { has: page.locator("th", { hasText: name }) });
  const shoot = shooter(page, shots);
  const refused = required(refusing, "reportsJourney");
  // In-app navigations change the address without a load; wait for it, saying where it is.
  const addressIs = async (re) => {
    for (let i = 0; i < 100 && !re.test(page.url()); i++) await sleep(50);
    expect(re.test(page.url()), `the address is ${page.url()}, not ${re}`);
  };

  // The service's own figures, to check the page against.
  const call = api(base);
  const json = (method, path, token, body) => call(method, path, { token, body });
  const ada = (await json("POST", "/local/login", null, { username: email, password })).id_token;
  const me = await json("GET", "/v1/me", ada);
  const today = me.today;
  // The fiscal year of today, as the service reckons it: of the years with a log (Ada logged
  // time today), the one whose report's period holds today.
  let fy = null;
  let fyPeriod = null;
  for (const { fiscalYear } of (await json("GET", "/v1/logs", ada)).logs) {
    const { period } = await json("GET", `/v1/reports/fiscal-year/${fiscalYear}`, ada);
    if (period && period.start <= today && today <= period.end) [fy, fyPeriod] = [fiscalYear, period];
  }
  expect(fy, `no log of Ada's holds ${today}`);
  /**
   * The bars drawn: how many of the canvas's pixels have a bar's colour (the chart's palette,
   * src/lib/reportChart.ts; its axes, grid and text are greys, an undrawn canvas is blank).
   */
  const BAR_COLOURS = ["#0f6f66", "#1f4f8f", "#b26a00", "#7b3fa0", "#b3261e", "#3d7a2a", "#a23d73", "#2a7f9e", "#8a9199"];
  const drawnPixels = () =>
    canvas.evaluate((c, colours) => {
      const rgb = colours.map((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)));
      const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 250) continue;
        if (rgb.some(([r, g, b]) => Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12)) n++;
      }
      return n;
    }, BAR_COLOURS);
  /** The chart names `names` (its accessible name says each bar, split by project) and was drawn. */
  const chartShows = async (names) => {
    await canvas.waitFor();
    const label = (await canvas.getAttribute("aria-label")) ?? "";
    for (const n of names) expect(label.includes(n), `the chart's name does not name ${n}: ${label}`);
    let pixels = 0;
    for (let i = 0; i < 20 && (pixels = await drawnPixels()) < 1000; i++) await sleep(100);
    expect(pixels >= 1000, `the canvas has no bars drawn (${pixels} pixels of a bar's colour)`);
  };
  const webApp = async (path) => {
    const r = await json("GET", path, ada);
    return r.groups.flatMap((g) => g.projects).find((p) => p.name === "Web App");
  };
  // The day with Ada's latest finished Web App entry (Today's entries may be on yesterday early in the UTC day).
  const listed = await json("GET", `/v1/entries?from=${addDays(today, -7)}&to=${today}&project=Web%20App&limit=200`, ada);
  const finished = listed.entries.filter((e) => e.endTime);
  expect(finished.length > 0, "Ada has no finished Web App entry this week");
  const day = finished.map((e) => e.date).sort().at(-1);
  const dayMinutes = finished.filter((e) => e.date === day).reduce((n, e) => n + e.minutes, 0);
  const minutesIn = async (locator) => {
    const t = (await locator.locator("td.col-hours time").first().textContent()) ?? "";
    const m = /^(\d+):(\d\d)$/.exec(t.trim());
    return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
  };

  await check("Reports: the header link opens the fiscal year, Web App in the chart and the table", async () => {
    await page.getByRole("link", { name: "Reports", exact: true }).click();
    await page.waitForURL(`${base}/reports`);
    await main.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
    await report.getByRole("heading", { name: `Fiscal year ${fy}` }).waitFor();
    await chartShows(["Web App"]);
    expect((await page.locator("style").count()) === 0, "a <style> element (the CSP blocks them)");
    const expected = (await webApp(`/v1/reports/fiscal-year/${fy}`)).totalMinutes;
    const shown = await minutesIn(projectRow("Web App").first());
    expect(shown === expected, `Web App shows ${hm(shown)}, the service says ${hm(expected)}`);
    await report.getByText("Left out: Unproductive (your suppressed projects, from Settings).").waitFor();
    await page.mouse.move(0, 0);
    await shoot("reports");
  });

  await check("Reports: grouped by Tag, the tag groups, and the address keeps it across a reload", async () => {
    await main.getByLabel("Group by", { exact: true }).selectOption({ label: "Tag" });
    await addressIs(/[?&]groupBy=tag\b/);
    const groups = report.locator("tr.report-group th");
    await groups.filter({ hasText: /^planning$/ }).waitFor();
    await groups.filter({ hasText: /^frontend$/ }).waitFor();
    await report.locator(".report-overlap").waitFor();
    await chartShows(["planning", "frontend"]);
    const authorized = page.waitForResponse((r) => r.url().includes("/oauth2/authorize?") && r.status() === 303);
    await page.reload();
    await authorized;
    await addressIs(/\/reports\?groupBy=tag$/);
    await report.locator("tr.report-group th", { hasText: /^planning$/ }).waitFor();
    expect((await main.getByLabel("Group by", { exact: true }).inputValue()) === "tag", "Group by is not Tag after the reload");
  });

  await check("Reports: a range of one day shows that day's Web App hours; Back and Forward go through the reports shown", async () => {
    await main.getByLabel("Group by", { exact: true }).selectOption({ label: "Project" });
    await addressIs(/\/reports\?groupBy=project$/);
    await main.getByRole("radio", { name: "Range" }).check();
    await main.getByLabel("From", { exact: true }).fill(day);
    await main.getByLabel("To", { exact: true }).fill(day);
    await main.getByRole("button", { name: "Show report" }).click();
    await addressIs(new RegExp(`kind=range&start=${day}&end=${day}`));
    await report.getByRole("heading", { name: "Range" }).waitFor();
    await projectRow("Web App").waitFor();
    const shown = await minutesIn(projectRow("Web App"));
    expect(shown === dayMinutes, `Web App shows ${hm(shown)} on ${day}, its entries add up to ${hm(dayMinutes)}`);
    // Back: the range as first chosen (its default week), then the year; Forward again.
    await page.goBack();
    await addressIs(new RegExp(`kind=range&start=${addDays(today, -6)}&end=${today}$`));
    await page.goBack();
    await addressIs(/\/reports\?groupBy=project$/);
    await report.getByRole("heading", { name: `Fiscal year ${fy}` }).waitFor();
    await page.goForward();
    await page.goForward();
    await addressIs(new RegExp(`kind=range&start=${day}&end=${day}$`));
    expect((await main.getByLabel("From", { exact: true }).inputValue()) === day, "From does not show the range's start");
    await projectRow("Web App").waitFor();
  });

  await check("Reports: a start after the end shows the service's message", async () => {
    await refused(async () => {
      await main.getByLabel("From", { exact: true }).fill(addDays(day, 2));
      await main.getByRole("button", { name: "Show report" }).click();
      await report.getByRole("alert").getByText(/is after its end/).waitFor();
    });
  });

  await check("Reports: the week of that day, and the previous week is empty but no error", async () => {
    await main.getByRole("radio", { name: "Week" }).check();
    await main.getByLabel("A day of the week", { exact: true }).fill(day);
    await main.getByRole("button", { name: "Show report" }).click();
    await report.getByRole("heading", { name: "Week" }).waitFor();
    const period = (await report.locator(".day-date").textContent()) ?? "";
    const monday = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${mondayOf(day)}T00:00:00Z`));
    expect(period.startsWith(`${monday} – `), `the week reads ${period}, not from ${monday}`);
    const expected = (await webApp(`/v1/reports/weekly/${day}`)).totalMinutes;
    const shown = await minutesIn(projectRow("Web App"));
    expect(shown === expected, `the week shows ${hm(shown)} on Web App, the service ${hm(expected)}`);
    await main.getByRole("button", { name: "Previous week" }).click();
    await addressIs(new RegExp(`date=${addDays(day, -7)}`));
    // Ada signed up today: nothing before this week.
    await report.getByText("Nothing logged in this period: 0:00 in 0 entries.").waitFor();
    expect((await report.getByRole("alert").count()) === 0, "an empty week shows an error");
    await axeCheck(page, "Reports, an empty week");
  });

  await check("Reports: since a task, from its last entry", async () => {
    await main.getByRole("radio", { name: "Since" }).check();
    await report.getByText(/Type some text of a task/).waitFor();
    await main.getByLabel("Since the last task containing", { exact: true }).fill("Planning the week");
    await main.getByRole("button", { name: "Show report" }).click();
    await addressIs(/kind=since&text=Planning\+the\+week/);
    await report.getByRole("heading", { name: "Since “Planning the week”" }).waitFor();
    await report.getByText(/from “Planning the week with the whole team/).waitFor();
    await projectRow("Web App").waitFor();
  });

  await check("Reports: CSV and Markdown downloads are the report shown", async () => {
    const [csv] = await Promise.all([page.waitForEvent("download"), report.getByRole("button", { name: "Download CSV" }).click()]);
    expect(csv.suggestedFilename() === "report-since-planning-the-week-by-project.csv", `file ${csv.suggestedFilename()}`);
    const csvText = readFileSync(await csv.path(), "utf8");
    const [header, ...lines] = csvText.trim().split("\n");
    expect(header.startsWith("date,startTime,endTime,minutes,hours,project,task"), `CSV header: ${header}`);
    // The entries after the last one whose task has the text, as the service counts them.
    const since = await json("GET", "/v1/reports/since?text=Planning%20the%20week", ada);
    expect(lines.length === since.summary.totalEntries, `${lines.length} CSV lines, the report has ${since.summary.totalEntries} entries`);
    expect(lines.some((l) => l.includes(",Web App,")), `CSV lines:\n${lines.join("\n")}`);
    await report.getByText("Saved report-since-planning-the-week-by-project.csv.").waitFor();
    const [md] = await Promise.all([page.waitForEvent("download"), report.getByRole("button", { name: "Download Markdown" }).click()]);
    expect(md.suggestedFilename() === "report-since-planning-the-week-by-project.md", `file ${md.suggestedFilename()}`);
    const mdText = readFileSync(await md.path(), "utf8");
    expect(/^# /.test(mdText) && mdText.includes("Planning the week") && mdText.includes("Web App"), `Markdown:\n${mdText.slice(0, 400)}`);
  });

  await check("Reports: a blank since text shows the service's message", async () => {
    await refused(async () => {
      await main.getByLabel("Since the last task containing", { exact: true }).fill("   ");
      await main.getByRole("button", { name: "Show report" }).click();
      await report.getByRole("alert").getByText(/give the task text to search for/).waitFor();
    });
    await axeCheck(page, "Reports, a refused since text");
  });

  await check("Reports: by keyboard, an arrow key moves to the next kind of period, with a visible focus", async () => {
    const since = main.getByRole("radio", { name: "Since" });
    await since.focus();
    await page.keyboard.press("ArrowLeft");
    await addressIs(/kind=month/);
    const month = main.getByRole("radio", { name: "Month" });
    expect(await month.evaluate((el) => el === document.activeElement), "focus left the period's radios");
    const outline = await month.evaluate((el) => getComputedStyle(el.closest("label")).outlineStyle);
    expect(outline !== "none", "the focused period shows no outline");
    await report.getByRole("heading", { name: /^Month \d{4}-\d{2}$/ }).waitFor();
  });

  await check("Reports: axe on the fiscal year with its chart; phone without sideways scrolling", async () => {
    await main.getByRole("radio", { name: "Fiscal year" }).check();
    await canvas.waitFor();
    await axeCheck(page, "Reports with the chart");
    await noSidewaysScroll(page, 390, 844, "Reports");
    await shoot("reports-phone");
    await noSidewaysScroll(page, 360, 740, "Reports");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  // Team: a colleague on a project Ada shares with him.
  const stamp = Date.now();
  const linusEmail = `linus-${stamp}@example.com`;
  const project = "Team Reports Demo";
  await check("Team: Ada invites Linus and shares “Team Reports Demo” with him; he logs time on it", async () => {
    const linus = (await invitePerson(call, { adminToken: ada, email: linusEmail, name: "Linus Reporter", password: "linus-own-password" })).id_token;
    await json("POST", "/v1/projects", ada, { name: project });
    await json("PUT", `/v1/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(linusEmail)}`, ada, { role: "contributor" });
    const yesterday = addDays(today, -1);
    const entry = await json("POST", "/v1/entries", linus, {
      date: yesterday >= fyPeriod.start ? yesterday : today,
      startTime: "10:00",
      endTime: "11:30",
      task: "Reviewing the team report",
      project: `${me.user}/${project}`,
    });
    expect(entry.project.endsWith(project), `Linus's entry is on ${entry.project}`);
  });

  await check("Team: the header link shows everyone's hours by person, by name", async () => {
    await page.getByRole("link", { name: "Team", exact: true }).click();
    await page.waitForURL(`${base}/team`);
    await main.getByRole("heading", { level: 1, name: "Team" }).waitFor();
    expect((await main.getByLabel("Group by", { exact: true }).inputValue()) === "user", "Team is not grouped by person");
    const groups = report.locator("tr.report-group th");
    await groups.filter({ hasText: /^Linus Reporter$/ }).waitFor();
    await groups.filter({ hasText: /^Ada Tester$/ }).waitFor();
    const linusRow = report
      .locator("tbody", { has: page.locator("tr.report-group th", { hasText: /^Linus Reporter$/ }) })
      .locator("tr.report-project", { hasText: project });
    expect((await minutesIn(linusRow)) === 90, "Linus's 1:30 on Team Reports Demo is not shown");
    await chartShows(["Linus Reporter", "Ada Tester"]);
    await page.mouse.move(0, 0);
    await shoot("team");
    await axeCheck(page, "Team");
  });
}

