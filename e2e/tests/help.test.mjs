// The help center: search answered as you type, the article, XSS as text, English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, screenshots } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the search box is answered as you type and the article opens', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await screenshots(page, 'help-center');
  await page.locator('#q').pressSequentially('怎么转人工', { delay: 60 });
  const first = page.locator('#live-results li a').first();
  await first.waitFor({ timeout: 10_000 });
  assert.match(await first.textContent(), /人工/);
  assert.ok((await page.locator('#live-results .answer').first().textContent()).length > 10);
  await screenshots(page, 'help-search-live');
  await first.click();
  await page.waitForURL(/\/help\/articles\//);
  assert.match(await page.locator('h1').textContent(), /人工/);
  await screenshots(page, 'help-article');
  assert.deepEqual(problems, []);
  await context.close();
});

test('popular questions show, and every help page leads on to the chat, the form and the ticket check', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/`);
  const popular = page.locator('section:has(h2:text("热门问题")) li a');
  assert.ok((await popular.count()) >= 5, 'the curated list fills the popular questions');
  const more = page.locator('#more-help');
  assert.deepEqual(await more.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['/chat', '/form', '/ticket']);
  await popular.first().click();
  await page.waitForURL(/\/help\/articles\//);
  await page.locator('#more-help').getByRole('link', { name: '在线客服' }).click();
  await page.waitForURL(/\/chat$/);
  await page.getByLabel('输入消息').waitFor();
  // Nothing found as you type: the answer says so and links to the chat.
  await page.goto(`${BASE}/`);
  await page.locator('#q').pressSequentially('qqqq zzzz', { delay: 20 });
  await page.locator('#live-results a[href="/chat"]').waitFor({ timeout: 10_000 });
  await page.goto(`${BASE}/help/search?q=${encodeURIComponent('完全无关的内容 qqqq')}`);
  assert.equal(await page.locator('#more-help a').count(), 3, 'after a search too');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a script typed into the search box is shown as text, live and without JavaScript', async () => {
  const { context, page, problems } = await open(browser);
  const payload = '<script>alert(1)</script>';
  await page.goto(`${BASE}/`);
  await page.locator('#q').fill(payload);
  await page.locator('#q').press('Space');
  await page.locator('#live-results > *').first().waitFor({ timeout: 10_000 });
  await page.locator('#q').press('Enter');
  await page.waitForURL(/\/help\/search\?q=/);
  assert.equal(await page.locator('#q').inputValue(), `${payload} `);
  const injected = await page.evaluate(() =>
    [...document.scripts].filter((s) => s.textContent.includes('alert(1)')).length);
  assert.equal(injected, 0);
  await screenshots(page, 'help-search-results');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the search works as a plain form without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  await page.locator('#q').fill('收不到验证码');
  await page.locator('button[type=submit]').first().click();
  await page.waitForURL(/\/help\/search/);
  const links = page.locator('#results a');
  assert.ok((await links.count()) > 0);
  assert.match(await links.first().textContent(), /验证码/);
  await context.close();
});

test('English: the switch shows English and the search answers in English', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/`);
  await page.locator('#switch-lang').click();
  await page.waitForURL(/lang=en/);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok(await page.getByRole('heading', { name: 'Popular questions' }).isVisible());
  // The choice is remembered by a cookie.
  await page.goto(`${BASE}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.locator('#q').pressSequentially('I did not get the verification code', { delay: 20 });
  const first = page.locator('#live-results li a').first();
  await first.waitFor({ timeout: 10_000 });
  assert.doesNotMatch(await first.textContent(), /[\u4e00-\u9fff]/);
  await screenshots(page, 'help-center-en');
  await first.click();
  await page.waitForURL(/\/help\/articles\//);
  assert.doesNotMatch(await page.locator('h1').textContent(), /[\u4e00-\u9fff]/);
  assert.deepEqual(problems, []);
  await context.close();
});
