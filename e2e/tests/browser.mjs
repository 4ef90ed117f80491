// Shared by the browser tests: Debian's Chromium through playwright-core, the server the
// run script started, screenshots at 1280 px and 375 px, and a watch for dialogs (an XSS
// payload that ran) and CSP violations.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';

export const BASE = process.env.KEFU_BASE;
export const KEY = process.env.KEFU_CHANNEL_KEY;
const SHOTS = process.env.KEFU_SCREENSHOTS || 'screenshots';
assert.ok(BASE, 'KEFU_BASE is set by run.sh');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
}

/** A fresh context (no cookies) and page; `problems` collects dialogs and CSP reports. */
export async function open(browser, { width = 1280, locale = 'zh-CN', timezoneId } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale, timezoneId });
  const page = await context.newPage();
  const problems = [];
  page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`error: ${e.message}`));
  return { context, page, problems };
}

/** Saves the page at 1280 px and 375 px wide; nothing may stick out sideways. */
export async function screenshots(page, name) {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= width, `${name} is ${scrollWidth} px wide at ${width} px`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Opens a ticket through the demo in-app channel (the bot answers first). */
export async function openTicket(externalId, body) {
  const r = await fetch(`${BASE}/api/v1/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer: { external_id: externalId }, body }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  const json = JSON.parse(text);
  return { number: json.ticket.number, code: json.lookup_code };
}

/** Adds a customer message to a ticket (as the customer, with the lookup code). */
export async function say({ number, code }, body) {
  const r = await fetch(`${BASE}/api/v1/customer/tickets/${number}/messages`, {
    method: 'POST',
    headers: { 'x-lookup-code': code, 'content-type': 'application/json' },
    body: JSON.stringify({ body }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return JSON.parse(text);
}

/** The generated password of a seeded staff account, from kefu's first-start output. */
export function password(email) {
  const out = readFileSync(process.env.KEFU_FIRST_START, 'utf8');
  const line = out.split('\n').find((l) => l.includes(` ${email} `));
  assert.ok(line, `no account ${email} in the first-start output`);
  return line.split('password:')[1].trim();
}

/** Signs a staff member in through the console's form; the page ends on the desk. */
export async function signIn(page, email) {
  await page.goto(`${BASE}/console`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password(email));
  await Promise.all([page.waitForNavigation(), page.locator('#login-submit').click()]);
  assert.equal(page.url(), `${BASE}/console`, await page.locator('main').textContent());
}

/** Writes a message in the chat page's box and sends it with Enter. */
export async function chatSay(page, text) {
  await page.getByLabel(/输入消息|Your message/).fill(text);
  await page.keyboard.press('Enter');
}

/** Waits until one of the elements `selector` finds has a text matching `pattern`. */
export async function waitForText(page, selector, pattern, timeout = 15000) {
  await page.waitForFunction(
    ([s, p]) => [...document.querySelectorAll(s)].some((e) => new RegExp(p).test(e.textContent)),
    [selector, pattern.source],
    { timeout },
  );
}

/** Waits for a bot message after the customer's chat message whose text matches `pattern`. */
export async function waitForBotAfter(page, pattern) {
  await page.waitForFunction((p) => {
    const all = [...document.querySelectorAll('#chat-log li.msg[data-from]')];
    const asked = all.findIndex((li) => li.dataset.from === 'customer'
      && new RegExp(p).test(li.querySelector('.body')?.textContent ?? ''));
    return asked >= 0 && all.slice(asked + 1).some((li) => li.dataset.from === 'bot');
  }, pattern.source);
}
