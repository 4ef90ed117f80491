// "Check my ticket": a wrong code fails, the right one shows the conversation, a reply
// appears (as text), and a form post without its CSRF token is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, openTicket, screenshots } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function lookUp(page, number, code) {
  await page.goto(`${BASE}/ticket`);
  await page.getByLabel(/工单号|Ticket number/).fill(number);
  await page.getByLabel(/查询码|Lookup code/).fill(code);
  await page.locator('form button[type=submit]').click();
  await page.waitForLoadState('domcontentloaded');
}

test('a wrong code fails; the right one shows the conversation and a reply appears', async () => {
  const { number, code } = await openTicket('e2e-customer-1', '我的直播权限申请一直没通过，想问问原因');
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/ticket`);
  await screenshots(page, 'ticket-form');
  await lookUp(page, number, 'WRONG123');
  const error = page.locator('#lookup-error');
  await error.waitFor();
  assert.match(await error.textContent(), /未找到该工单/);
  assert.equal(await page.locator('.conversation').count(), 0);
  await screenshots(page, 'ticket-wrong-code');

  await lookUp(page, number, code);
  const conversation = page.locator('.conversation');
  await conversation.waitFor();
  assert.match(await conversation.textContent(), /直播权限/);
  assert.ok((await page.locator('.msg.them').count()) >= 1, 'the bot answered');
  await screenshots(page, 'ticket-view');

  const payload = '<script>alert(1)</script> 还是不行';
  await page.getByLabel(/回复内容|Your reply/).fill(payload);
  await page.locator('form[action="/ticket/reply"] button').click();
  await page.locator('#reply-notice').waitFor();
  const mine = page.locator('.msg.me .body');
  const texts = await mine.allTextContents();
  assert.ok(texts.includes(payload), JSON.stringify(texts));
  const injected = await page.evaluate(() =>
    [...document.scripts].filter((s) => s.textContent.includes('alert(1)')).length);
  assert.equal(injected, 0);
  await screenshots(page, 'ticket-replied');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a form post without its CSRF token is refused', async () => {
  const { number, code } = await openTicket('e2e-customer-2', '账号登录不上');
  // From the browser: the form with its token field removed.
  const { context, page } = await open(browser);
  await page.goto(`${BASE}/ticket`);
  await page.evaluate(() => document.querySelector('input[name=csrf]').remove());
  await page.getByLabel(/工单号/).fill(number);
  await page.getByLabel(/查询码/).fill(code);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/ticket') && r.request().method() === 'POST'),
    page.locator('form button[type=submit]').click(),
  ]);
  assert.equal(response.status(), 403);
  await page.locator('#error-message').waitFor();
  await screenshots(page, 'csrf-refused');
  await context.close();
  // From a script with no cookie at all.
  const r = await fetch(`${BASE}/ticket/reply`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ number, code, body: 'forged' }),
  });
  assert.equal(r.status, 403);
});

test('check my ticket can be done with the keyboard alone', async () => {
  const { number, code } = await openTicket('e2e-customer-3', '怎么修改绑定的手机号');
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/ticket`);
  const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  let presses = 0;
  while ((await focused()) !== 'number' && presses < 12) {
    await page.keyboard.press('Tab');
    presses += 1;
  }
  assert.equal(await focused(), 'number', 'Tab reaches the number field');
  await page.keyboard.type(number);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'code', 'Tab goes on to the code field');
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
  await page.locator('.conversation').waitFor();
  assert.match(await page.locator('.conversation').textContent(), /手机号/);
  assert.deepEqual(problems, []);
  await context.close();
});
