// The Log page's journey, run by today.mjs once entries exist and the person is signed in:
// opens Log from the header, finds the day's entries in the Markdown, types a mistake and
// sees the service's diagnostic at its line, fixes it, saves, and sees the new version in
// the history with its diff; axe-core checks the page with a diagnostic and with the
// diff open. Also checks that CodeMirror is styled under the app's CSP
// (its styles go to a constructed stylesheet in the editor's shadow root).
//
//   logJourney(page, { base, shots, check, expect })
//     base   the app's origin (TM_WEB_URL)
//     shots  the screenshot folder
//     check  (what, fn) => runs and reports one step; expect(cond, message) throws

import { axeCheck } from "./axe.mjs";
import { noSidewaysScroll, shooter, sleep } from "./lib.mjs";

export async function logJourney(page, { base, shots, check, expect }) {
  const main = page.locator("main");
  const editor = page.getByRole("textbox", { name: /^The time log of \d{4}-\d{4}/ });
  const lines = page.locator(".cm-content .cm-line");
  const status = main.locator(".log-status");
  const TASK = "Planning the week with the whole team";
  let original = "";
  let lineNo = 0;
  let savedVersion = 0;

  const shoot = shooter(page, shots);
  const lineTexts = () => lines.evaluateAll((els) => els.map((el) => el.textContent ?? ""));

  await check("Log: the header link opens the year's Markdown, styled, with the entries in it", async () => {
    await page.getByRole("link", { name: "Log", exact: true }).click();
    await page.waitForURL(`${base}/log`);
    await main.getByRole("heading", { level: 1, name: /^Log \d{4}-\d{4}$/ }).waitFor();
    await editor.waitFor();
    await lines.filter({ hasText: TASK }).first().waitFor();
    await status.getByText(/^No errors — saving would add 0, change 0, delete 0 entries/).waitFor();
    // CodeMirror's styles came through (a constructed stylesheet in the shadow root, which the CSP allows).
    const styled = await page.locator(".code-editor").evaluate((host) => {
      const root = host.shadowRoot;
      const gutters = root?.querySelector(".cm-gutters");
      return {
        sheets: root?.adoptedStyleSheets.length ?? 0,
        gutterDisplay: gutters ? getComputedStyle(gutters).display : "none",
        styleTags: document.querySelectorAll("style").length,
      };
    });
    expect(styled.sheets > 0, "no constructed stylesheet in the editor's shadow root");
    expect(styled.gutterDisplay === "flex", `the line-number gutter is not laid out (display ${styled.gutterDisplay})`);
    expect(styled.styleTags === 0, `${styled.styleTags} <style> elements (the CSP blocks them)`);
    const texts = await lineTexts();
    lineNo = texts.findIndex((t) => t.includes(TASK)) + 1;
    original = texts[lineNo - 1];
    expect(/^- \*\*\d\d:\d\d-\d\d:\d\d\*\*: /.test(original), `the entry's line reads ${original}`);
    // The line numbers are there.
    const numbers = await page.locator(".cm-lineNumbers .cm-gutterElement").allTextContents();
    expect(numbers.includes(String(lineNo)), `no line number ${lineNo} in the gutter`);
  });

  await check("Log: a mistake shows the service's diagnostic at its line, in the editor and the list", async () => {
    await lines.nth(lineNo - 1).click();
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowRight");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight"); // past "- **"
    for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowRight"); // the start time
    await page.keyboard.type("25:00");
    const item = main.locator(".diagnostics li", { hasText: /out of range/ }).first();
    await item.waitFor();
    await item.getByRole("button", { name: `Line ${lineNo}` }).waitFor();
    expect((await item.getAttribute("data-code")) === "invalid-time", "not an invalid-time diagnostic");
    await status.getByText(/^\d+ errors?: fix (it|them) to save/).waitFor();
    await page.locator(".cm-lint-marker-error").first().waitFor();
    await page.locator(".cm-lintRange-error").first().waitFor();
    expect(await main.getByRole("button", { name: "Save" }).isDisabled(), "Save is enabled despite errors");
    await shoot("log-error");
  });

  await check("axe on Log with a diagnostic in the editor and the list", async () => {
    await axeCheck(page, "Log with a diagnostic");
  });

  await check("Log: the line button moves the cursor there; the fix by keyboard clears the errors", async () => {
    await page.keyboard.press("Control+End");
    await main.locator(".diagnostics li").first().getByRole("button", { name: `Line ${lineNo}` }).click();
    const active = await page.locator(".cm-activeLine").textContent();
    expect(active?.includes("25:00"), `the cursor is on: ${active}`);
    const focused = await page.locator(".code-editor").evaluate((h) => h.shadowRoot?.activeElement?.className ?? "");
    expect(/cm-content/.test(focused), "the editor has no focus after the line button");
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type(original.replace(TASK, `${TASK}, edited in the log`));
    await status.getByText(/^No errors — saving would add 0, change 1, delete 0 entries/).waitFor();
    expect((await main.locator(".diagnostics li", { hasText: /out of range/ }).count()) === 0, "the diagnostic stayed");
    await main.getByText("unsaved edits").waitFor();
  });

  await check("Log: saving shows the new version and its changes", async () => {
    const before = Number((await main.locator(".log-version").textContent())?.replace(/\D+/g, ""));
    await main.getByRole("button", { name: "Save" }).click();
    const saved = main.locator(".log-saved");
    await saved.getByText(/^Saved as version \d+: added 0, changed 1, deleted 0 entries\./).waitFor();
    savedVersion = Number((await saved.textContent())?.match(/version (\d+)/)?.[1]);
    expect(savedVersion > before, `saved as ${savedVersion}, was ${before}`);
    await main.locator(".log-version", { hasText: `version ${savedVersion}` }).waitFor();
    expect((await main.getByText("unsaved edits").count()) === 0, "still marked unsaved");
  });

  await check("Log: the history lists the new version, and the one before shows its diff", async () => {
    const history = main.locator("section.log-history");
    const newest = history.getByRole("button", { name: new RegExp(`^Version ${savedVersion}\\b`) });
    await newest.waitFor();
    await newest.getByText("current").waitFor();
    await history.getByRole("button", { name: new RegExp(`^Version ${savedVersion - 1}\\b`) }).click();
    const diff = history.getByRole("figure", { name: `Version ${savedVersion - 1} against the current version ${savedVersion}` });
    await diff.locator(".diff-del", { hasText: original }).waitFor();
    await diff.locator(".diff-add", { hasText: `${TASK}, edited in the log` }).waitFor();
    await diff.getByText("1 added, 1 removed").waitFor();
    await page.mouse.move(0, 0);
    await shoot("log");
  });

  await check("axe on Log with the history's diff open", async () => {
    await axeCheck(page, "Log with a version's diff");
  });

  await check("Log: Download offers the text as time-log-FY.md", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), main.getByRole("button", { name: "Download" }).click()]);
    expect(/^time-log-\d{4}-\d{4}\.md$/.test(download.suggestedFilename()), `file name ${download.suggestedFilename()}`);
  });

  await check("Log: phone (390x844) without sideways scrolling", async () => {
    await noSidewaysScroll(page, 390, 844, "Log");
    await shoot("log-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  await check("Log: unsaved edits ask before leaving (Back, a link); staying keeps them", async () => {
    await lines.nth(lineNo - 1).click();
    await page.keyboard.press("End");
    await page.keyboard.type(" draft");
    await main.getByText("unsaved edits").waitFor();
    page.once("dialog", (d) => void d.dismiss());
    await page.goBack();
    await sleep(200);
    expect(new URL(page.url()).pathname === "/log", `Back left to ${page.url()}`);
    await main.getByText("unsaved edits").waitFor();
    page.once("dialog", (d) => void d.dismiss());
    await page.locator("a.brand").click();
    await sleep(200);
    expect(new URL(page.url()).pathname === "/log", `left to ${page.url()}`);
    page.once("dialog", (d) => void d.accept());
    await page.locator("a.brand").click();
    await page.waitForURL(`${base}/`);
  });
}
