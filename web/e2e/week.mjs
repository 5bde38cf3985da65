// The Week page, driven as a person would, from a signed-in Today with entries and a
// running timer: the grid against the service's own entries, quick entry into a cell
// (refused, then added), + Add project, that day on Today, previous week and back,
// axe, the desktop and phone layouts, and how long Today takes to become usable.

import { axeCheck } from "./axe.mjs";
import { api, noSidewaysScroll, required } from "./lib.mjs";

const pad = (n) => String(n).padStart(2, "0");
const iso = (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const addDays = (date, n) => {
  const [y, m, d] = date.split("-").map(Number);
  return iso(new Date(Date.UTC(y, m - 1, d + n)));
};
const weekday = (date) => new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
const hm = (m) => `${Math.floor(m / 60)}:${pad(m % 60)}`;
const minutesOf = (text) => {
  const m = /^(\d+):(\d\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
};

/** Waits (2 s at most) for `locator` to have the focus: the grid moves it in a frame after the key. */
async function hasFocus(locator, message) {
  const handle = await locator.elementHandle();
  try {
    await handle.evaluate(
      (el) =>
        new Promise((resolve, reject) => {
          const until = Date.now() + 2000;
          const look = () => (el === document.activeElement ? resolve() : Date.now() > until ? reject(new Error("no focus")) : requestAnimationFrame(look));
          look();
        }),
    );
  } catch {
    throw new Error(message);
  }
}

/** The grid as shown: `{ project: [7 day minutes, total] }`, and `Total` for the footer. */
async function readGrid(page) {
  const rows = await page.evaluate(() => {
    const out = {};
    for (const tr of document.querySelectorAll("table.week-grid tbody tr, table.week-grid tfoot tr")) {
      const th = tr.querySelector('th[scope="row"]');
      if (th) out[th.textContent.trim()] = [...tr.querySelectorAll("td")].map((td) => td.textContent.trim());
    }
    return out;
  });
  return Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.map(minutesOf)]));
}

export async function weekSteps({ page, BASE, check, expect, shoot, refusing: given, EMAIL, PASSWORD }) {
  const refusing = required(given, "weekSteps");
  const call = api(BASE);
  // The service's own view of the week, to check the grid against (the person's zone is UTC).
  const token = (await call("POST", "/local/login", { body: { username: EMAIL, password: PASSWORD } })).id_token;
  async function serviceWeek(monday) {
    const entries = [];
    let cursor = "";
    do {
      const q = new URLSearchParams({ from: monday, to: addDays(monday, 6), limit: "2" });
      if (cursor) q.set("cursor", cursor);
      const page = await call("GET", `/v1/entries?${q}`, { token });
      entries.push(...page.entries);
      cursor = page.nextCursor ?? "";
    } while (cursor);
    return entries;
  }

  const today = iso(new Date());
  const monday = addDays(today, 1 - weekday(today));
  // Quick entry goes to yesterday: a past day with room (an entry may not end in the future).
  const target = addDays(today, -1);
  const targetMonday = addDays(target, 1 - weekday(target));
  const targetCol = weekday(target) - 1;
  const main = page.locator("main");
  const nav = page.getByRole("navigation", { name: "Pages" });
  const table = page.locator("table.week-grid");
  const cell = (project, col) => table.locator(`button[data-project="${project}"][data-day="${col}"]`);
  const form = page.getByRole("form", { name: /^Add time to / });

  await check("the header links Today and Week, marking the page shown", async () => {
    expect((await nav.getByRole("link", { name: "Today" }).getAttribute("aria-current")) === "page", "Today is not marked current");
    await nav.getByRole("link", { name: "Week" }).click();
    await page.waitForURL(`${BASE}/week`);
    await main.getByRole("heading", { level: 1, name: "This week" }).waitFor();
    expect((await nav.getByRole("link", { name: "Week" }).getAttribute("aria-current")) === "page", "Week is not marked current");
    expect((await nav.getByRole("link", { name: "Today" }).getAttribute("aria-current")) === null, "Today is still marked current");
  });

  await check("Week shows the entries of Today in the grid, with the totals the service's entries add up to", async () => {
    await table.waitFor();
    const entries = await serviceWeek(monday);
    expect(entries.some((e) => e.endTime === null), "no running timer in the week");
    const now = Date.now();
    const expected = {};
    const running = {};
    for (const e of entries) {
      const col = weekday(e.date) - 1;
      let m = e.minutes;
      if (e.endTime === null) {
        const start = Date.parse(`${e.date}T${e.startTime}:00Z`);
        const created = Date.parse(e.createdAt);
        const since = created >= start && created < start + 60_000 ? created : start;
        m = Math.floor((now - since) / 60_000);
        running[`${e.project}/${col}`] = true;
      }
      (expected[e.project] ??= [0, 0, 0, 0, 0, 0, 0])[col] += m;
    }
    const shown = await readGrid(page);
    for (const [project, days] of Object.entries(expected)) {
      expect(shown[project], `no row for ${project}; rows: ${Object.keys(shown).join(", ")}`);
      days.forEach((m, col) => {
        const got = shown[project][col];
        const slack = running[`${project}/${col}`] ? 1 : 0; // the timer ticks on
        expect(Math.abs(got - m) <= slack, `${project} on day ${col + 1}: shows ${hm(got)}, the entries add up to ${hm(m)}`);
      });
      const sum = shown[project].slice(0, 7).reduce((a, b) => a + b, 0);
      expect(shown[project][7] === sum, `${project}'s total ${hm(shown[project][7])} is not its days' ${hm(sum)}`);
    }
    const todayCol = weekday(today) - 1;
    expect(shown["Web App"][todayCol] >= 1, "Today's Web App entries are not in today's column");
    for (let col = 0; col < 7; col++) {
      const sum = Object.entries(shown).filter(([k]) => k !== "Total").reduce((n, [, v]) => n + v[col], 0);
      expect(shown.Total[col] === sum, `day ${col + 1}'s total ${hm(shown.Total[col])} is not its cells' ${hm(sum)}`);
    }
    expect(shown.Total[7] === shown.Total.slice(0, 7).reduce((a, b) => a + b, 0), "the grand total is not the days' sum");
    await page.getByText(/The totals include the running timer \(Writing the report for the step/).waitFor();
    await axeCheck(page, "Week with entries and a running timer");
  });

  if (targetMonday !== monday) {
    await check("to the previous week, where yesterday is (today is a Monday)", async () => {
      await main.getByRole("button", { name: "Previous week" }).click();
      await main.getByRole("button", { name: "This week" }).waitFor();
      await table.waitFor();
    });
  }

  let before;
  let added;
  await check("quick entry adds 1:30 to a cell and the totals change", async () => {
    before = await readGrid(page);
    if (!before["Web App"]) {
      await main.getByRole("button", { name: "+ Add project" }).click();
      await page.getByLabel("Project", { exact: true }).fill("Web App");
      await page.keyboard.press("Enter");
      await form.waitFor();
      await page.keyboard.press("Escape");
      before = await readGrid(page);
    }
    const c = cell("Web App", targetCol);
    await c.click();
    await form.waitFor();
    const duration = form.getByLabel("Duration");
    await hasFocus(duration, "the duration has no focus");
    expect((await form.getByLabel("Task").inputValue()).length > 0, "no default task");
    const start = await form.getByLabel("Start").inputValue();
    expect(/^\d\d:\d\d$/.test(start), `default start ${start}`);
    // A duration that is no duration is refused here, before anything is sent.
    await duration.fill("abc");
    await form.getByRole("button", { name: "Add" }).click();
    await form.getByText("“abc” is not a duration; write it e.g. 1:30, 90m or 1.5h.").waitFor();
    await form.getByLabel("Task").fill("Reviewing the week");
    await duration.fill("1:30");
    await form.getByRole("button", { name: "Add" }).click();
    const notice = page.locator(".quick-done").getByText(/^Added \d\d:\d\d–\d\d:\d\d “Reviewing the week” to Web App/);
    await notice.waitFor();
    added = /^Added (\d\d:\d\d)/.exec((await notice.textContent()) ?? "")[1];
    expect(added === start, `added at ${added}, the form said ${start}`);
    const after = await readGrid(page);
    expect(after["Web App"][targetCol] === before["Web App"][targetCol] + 90, `the cell went ${hm(before["Web App"][targetCol])} → ${hm(after["Web App"][targetCol])}`);
    expect(after.Total[targetCol] === before.Total[targetCol] + 90, "the day's total did not grow by 1:30");
    expect(Math.abs(after.Total[7] - before.Total[7] - 90) <= 1, `the grand total went ${hm(before.Total[7])} → ${hm(after.Total[7])}`);
    await hasFocus(c, "focus is not back on the cell");
    await page.keyboard.press(targetCol > 0 ? "ArrowLeft" : "ArrowRight");
    const moved = cell("Web App", targetCol > 0 ? targetCol - 1 : 1);
    await hasFocus(moved, "the arrow key did not move to the next cell");
  });

  await check("an overlapping quick entry is refused in the service's words, and Escape returns to the cell", async () => {
    const c = cell("Web App", targetCol);
    await c.focus();
    await page.keyboard.press("Enter");
    await form.waitFor();
    await form.getByLabel("Start").fill(added);
    await form.getByLabel("Duration").fill("30m");
    await refusing(async () => {
      await form.getByRole("button", { name: "Add" }).click();
      const alert = form.getByRole("alert");
      await alert.waitFor();
      const text = (await alert.textContent()) ?? "";
      expect(/overlaps/.test(text), `the alert says: ${text}`);
    });
    expect((await form.getByLabel("Start").getAttribute("aria-invalid")) === "true", "Start is not marked invalid");
    await page.mouse.move(0, 0);
    await shoot("week-refused");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    await hasFocus(c, "focus is not back on the cell");
  });

  await check("+ Add project adds a row for a project not in the week, and time goes into it", async () => {
    await main.getByRole("button", { name: "+ Add project" }).click();
    await page.getByLabel("Project", { exact: true }).fill("Reading");
    await page.getByRole("button", { name: "Add row" }).click();
    await form.waitFor();
    await page.keyboard.press("Escape");
    await cell("Reading", targetCol).click();
    await form.waitFor();
    expect((await form.getByLabel("Task").inputValue()) === "Reading", "the task is not the project's name");
    await form.getByLabel("Duration").fill("45m");
    await form.getByRole("button", { name: "Add" }).click();
    await page.locator(".quick-done").getByText(/^Added .*to Reading/).waitFor();
    const shown = await readGrid(page);
    expect(shown.Reading[targetCol] === 45 && shown.Reading[7] === 45, `Reading shows ${shown.Reading.map(hm).join(" ")}`);
  });

  await check("axe on Week with the quick entry open, and the desktop screenshots", async () => {
    await cell("Reading", targetCol).click();
    await form.waitFor();
    await form.getByLabel("Duration").fill("1h");
    await axeCheck(page, "Week with the quick entry open");
    await page.mouse.move(0, 0);
    await shoot("week-form");
    await page.keyboard.press("Escape");
    await form.waitFor({ state: "detached" });
    await shoot("week");
  });

  await check("phone (390x844) and 360 px: the grid scrolls in its box, the page does not", async () => {
    await noSidewaysScroll(page, 390, 844, "Week");
    await shoot("week-phone");
    await cell("Web App", targetCol).click();
    await form.waitFor();
    await shoot("week-phone-form");
    await noSidewaysScroll(page, 390, 844, "Week with the form open");
    const formBox = await form.boundingBox();
    expect(formBox && formBox.x >= 0 && formBox.x + formBox.width <= 390, `the form is off screen: ${JSON.stringify(formBox)}`);
    await page.keyboard.press("Escape");
    await noSidewaysScroll(page, 360, 740, "Week");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("a day's header opens that day on Today, with the entry added in the week", async () => {
    await table.locator(`thead a[href="/?date=${target}"]`).click();
    await page.waitForURL(`${BASE}/?date=${target}`);
    await page.locator("section.day li.entry", { hasText: "Reviewing the week" }).getByText("1:30").waitFor();
    await page.locator("section.day li.entry", { hasText: "Reading" }).getByText("0:45").waitFor();
    await nav.getByRole("link", { name: "Week" }).click();
    await page.waitForURL(`${BASE}/week`);
    await table.waitFor();
  });

  await check("previous week and back to this week", async () => {
    await main.getByRole("button", { name: "Previous week" }).click();
    await page.waitForURL(`${BASE}/week?date=${addDays(monday, -7)}`);
    await main.getByRole("heading", { level: 1, name: /^Week of / }).waitFor();
    await main.getByRole("button", { name: "This week" }).click();
    await page.waitForURL(`${BASE}/week`);
    await main.getByRole("heading", { level: 1, name: "This week" }).waitFor();
    await table.waitFor();
  });

  await check("Today becomes interactive after an in-app navigation from Week", async () => {
    const started = performance.now();
    await nav.getByRole("link", { name: "Today" }).click();
    // The timer card's button (Stop while a timer runs, else Start), once it can be used.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("section.timer button")].some((b) => /^(Start|Stop)$/.test(b.textContent.trim()) && !b.disabled),
    );
    const ms = Math.round(performance.now() - started);
    console.log(`     Today interactive in ${ms} ms (in-app navigation from Week until the timer's button is enabled)`);
  });
}
