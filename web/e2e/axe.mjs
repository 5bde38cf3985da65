// axe-core in the page: fails on any violation of impact "serious" or "critical",
// printing every violation found (lesser ones too, as notes).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol: the app's Content-Security-Policy (script-src
// 'self') would refuse an injected <script> element, and should stay as it is served.
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export async function axeCheck(page, what) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${(n.failureSummary ?? "").replace(/\s+/g, " ").trim()}`),
    }));
  });
  const describe = (v) => `${v.impact} ${v.id}: ${v.help}\n       ${v.nodes.slice(0, 5).join("\n       ")}`;
  const grave = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  for (const v of violations.filter((v) => !grave.includes(v))) console.log(`     axe (${what}) note: ${describe(v)}`);
  if (grave.length) throw new Error(`axe on ${what}:\n${grave.map(describe).join("\n")}`);
  console.log(`     axe (${what}): no serious or critical violations (${violations.length} lesser)`);
}
