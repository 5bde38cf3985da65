// The web app's size budget (issue 17): the JavaScript a first visit loads — the entry
// script of web/dist/index.html and the modules it preloads — at most 250 kB gzipped.
// Prints every initial file with its gzipped size; exit status 1 over the budget.
// Lazily loaded chunks (a page's own code, fetched when it is opened) do not count.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 250;
const dist = process.argv[2] ?? 'web/dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
].map((m) => m[1]);
const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"/g)].map((m) => m[1]);
if (initial.length === 0) {
  console.error(`web budget: no module script in ${dist}/index.html`);
  process.exit(1);
}
const gz = (file) => gzipSync(readFileSync(join(dist, file.replace(/^\//, '')))).length / 1000;
let js = 0;
for (const file of initial) {
  const kb = gz(file);
  js += kb;
  console.log(`  ${file}: ${kb.toFixed(1)} kB gzipped`);
}
const css = styles.reduce((sum, file) => sum + gz(file), 0);
const lazy = readdirSync(join(dist, 'assets')).filter(
  (f) => f.endsWith('.js') && !initial.some((i) => i.endsWith(`/${f}`)),
);
console.log(
  `web budget: initial JavaScript ${js.toFixed(1)} kB gzipped (budget ${BUDGET_KB} kB), CSS ${css.toFixed(1)} kB, ${lazy.length} lazy chunks`,
);
if (js > BUDGET_KB) {
  console.error(`web budget: over by ${(js - BUDGET_KB).toFixed(1)} kB; load what a page needs when it is opened`);
  process.exit(1);
}
