// What the journeys share: waiting, screenshots, the service's JSON API, the sideways-scroll
// check, inviting a colleague, and the 4xx answers a step provokes on purpose.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `shoot(name, { fullPage })`: a screenshot of `page` as `dir/name.png` (the whole page unless told). */
export function shooter(page, dir) {
  return async function shoot(name, { fullPage = true } = {}) {
    await page.screenshot({ path: `${dir}/${name}.png`, fullPage });
    console.log(`     screenshot ${dir}/${name}.png`);
  };
}

/**
 * JSON requests to the service at `base`: `call(method, path, { token, body, expect })`
 * answers the parsed body (null when empty). A status outside `expect` (by default any
 * 2xx) throws, saying the request, the status and the body. `path` may be a whole URL
 * (an invitation link).
 */
export function api(base) {
  return async function call(method, path, { token, body, expect } = {}) {
    const url = /^https?:/.test(path) ? path : `${base}${path}`;
    const res = await fetch(url, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const wanted = expect ? expect.includes(res.status) : res.ok;
    if (!wanted) {
      throw new Error(`${method} ${path} answered ${res.status}${expect ? ` (expected ${expect.join(" or ")})` : ""}: ${text.slice(0, 300)}`);
    }
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      throw new Error(`${method} ${path} answered ${res.status} with no JSON: ${text.slice(0, 300)}`);
    }
  };
}

/**
 * At `width`×`height`, the page does not scroll sideways; else throws, naming the elements
 * that stick out (those inside a box that scrolls on its own are left out). Leaves the
 * viewport at that size.
 */
export async function noSidewaysScroll(page, width, height, what = "the page") {
  const size = page.viewportSize();
  if (!size || size.width !== width || size.height !== height) {
    await page.setViewportSize({ width, height });
    await sleep(300);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow <= 0) return;
  const wide = await page.evaluate(() => {
    const scrollsOwn = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if (x === "auto" || x === "scroll" || x === "hidden") return true;
      }
      return false;
    };
    return [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !scrollsOwn(el))
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}: ${Math.round(el.getBoundingClientRect().right)}px`);
  });
  throw new Error(`${what} at ${width} px is ${overflow}px wider than the screen; sticking out: ${wide.join("; ")}`);
}

/**
 * Invites `name` <`email`> as the admin whose token is `adminToken`, and accepts the
 * invitation with `password` (as the person would, from the link): answers the person's
 * tokens (`id_token`, …) and their `id`.
 */
export async function invitePerson(call, { adminToken, email, name, password }) {
  const invited = await call("POST", "/v1/admin/users", { token: adminToken, body: { email, name } });
  const link = invited?.invitation?.link;
  if (typeof link !== "string") throw new Error(`the invitation of ${email} has no link: ${JSON.stringify(invited).slice(0, 300)}`);
  const tokens = await call("POST", link, { body: { password } });
  if (!tokens?.id_token) throw new Error(`accepting the invitation of ${email} gave no id_token`);
  return { ...tokens, id: invited.person?.id ?? null, link };
}

/**
 * The 4xx answers a step provokes on purpose: `refusing(fn)` runs `fn` while they are
 * expected; `expected()` says whether they are now (the page's console and response
 * listeners ask it).
 */
export function refusals() {
  let on = false;
  return {
    expected: () => on,
    async refusing(fn) {
      on = true;
      try {
        return await fn();
      } finally {
        on = false;
      }
    },
  };
}

/** A journey's `refusing`: required, as without it the refusals it provokes fail the run late and unclearly. */
export function required(refusing, journey) {
  if (typeof refusing !== "function") throw new Error(`${journey}: pass refusing (from refusals() in e2e/lib.mjs)`);
  return refusing;
}
