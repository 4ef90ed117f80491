// The customer side of live chat: the bot first with suggestion buttons, "转人工", an agent
// (driven through the API) joining and replying live, a reload and a cut WebSocket losing
// and doubling nothing; the online form with an image; XSS as text; CSRF refused; English;
// the widget framing the chat on another site.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import {
  BASE, chatSay as say, launch, open, screenshots, waitForBotAfter, waitForText,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A staff session for an account the first start printed (run.sh passes its output). */
async function staffToken(email) {
  const out = fs.readFileSync(process.env.KEFU_FIRST_START, 'utf8');
  const line = out.split('\n').find((l) => l.includes(` ${email} `));
  assert.ok(line, `${email} in the first-start output`);
  const password = line.trim().split(/\s+/).pop();
  const r = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()).token;
}

async function staff(token, path, body) {
  const r = await fetch(`${BASE}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  assert.ok(r.status < 300, `${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Keeps every WebSocket the page opens in window.__sockets, so a test can cut one. */
async function trackSockets(context) {
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) { super(...args); window.__sockets.push(this); }
    };
  });
}

/** The drawn conversation: [from, body] of every message bubble. */
async function transcript(page) {
  return page.$$eval('#chat-log li.msg[data-from]', (lis) =>
    lis.map((li) => [li.dataset.from, li.querySelector('.body')?.textContent ?? '']));
}

test('chat: bot first, a suggestion by its button, a person, live replies, reload and a cut socket', async () => {
  const { context, page, problems } = await open(browser);
  await trackSockets(context);
  await page.goto(`${BASE}/chat`);
  await screenshots(page, 'chat-empty');
  // Before the first message images wait for the chat, and the page says so.
  assert.ok(await page.locator('#chat-image').isDisabled());
  assert.match(await page.locator('#chat-tools-hint').textContent(), /第一条消息/);

  await say(page, '提现');
  const number = page.locator('#chat-number');
  await number.waitFor({ state: 'visible' });
  assert.ok(await page.locator('#chat-tools-hint').isHidden(), 'the hint goes once images can be sent');
  assert.ok(await page.locator('#chat-image').isEnabled());
  assert.match(await number.textContent(), /^\d{6}-\d{4}-\d{4}-\d$/, 'the ticket number from the first message');
  const pick = page.locator('button.suggestion').first();
  await pick.waitFor();
  const question = await pick.textContent();
  await pick.click();
  await page.waitForFunction((q) => [...document.querySelectorAll('#chat-log li.msg.me .body')]
    .some((b) => b.textContent === q), question);
  // The bot answers the picked entry (a bot message after the pick).
  await page.waitForFunction(() => {
    const froms = [...document.querySelectorAll('#chat-log li.msg[data-from]')].map((l) => l.dataset.from);
    return froms.length >= 4 && froms[froms.length - 1] === 'bot';
  });

  await page.getByRole('button', { name: '转人工' }).click();
  // The bot's answer to it: a bot message after the customer's "转人工".
  await waitForBotAfter(page, /转人工/);
  const xss = '<img src=x onerror=alert(1)> 我的账号 user_42 登录不上';
  await say(page, xss);
  await waitForText(page, '#chat-log li.msg.me .body', /onerror/);
  // Handed over: the queue position shows, and the estimate or why there is none.
  await waitForText(page, '#chat-queue', /您前面还有 [1-9]\d* 位。|下一位就是您。/);
  await screenshots(page, 'chat-with-bot');

  // An agent takes it and replies: it shows without a reload.
  const digits = (await number.textContent()).replace(/-/g, '');
  const agent = await staffToken('agent1@kefu.local');
  await staff(agent, `/tickets/${digits}/take`);
  await waitForText(page, '#chat-log li.msg.system .body', /已加入会话/);
  assert.ok(await page.locator('#chat-queue').isHidden(), 'no queue once a person has it');
  await staff(agent, `/tickets/${digits}/replies`, { body: '您好，我来帮您看看登录的问题。' });
  await waitForText(page, '#chat-log li.msg.them .body', /我来帮您看看/);
  await screenshots(page, 'chat-agent-joined');
  const before = await transcript(page);
  assert.ok(before.some(([from, body]) => from === 'customer' && body === xss), 'XSS shown as text');

  // Reload: the same conversation, nothing lost, nothing twice.
  await page.reload();
  await page.waitForFunction((n) => document.querySelectorAll('#chat-log li.msg[data-from]').length >= n, before.length);
  assert.deepEqual(await transcript(page), before);
  assert.equal(await page.locator('#chat-number').textContent(), await number.textContent());

  // Cut the socket; a reply sent while it is down arrives once after the resume.
  await page.waitForFunction(() => document.getElementById('chat').dataset.live === 'on');
  await page.evaluate(() => window.__sockets.at(-1).close());
  await page.waitForFunction(() => document.getElementById('chat').dataset.live === 'off');
  await staff(agent, `/tickets/${digits}/replies`, { body: '断线期间的回复' });
  await waitForText(page, '#chat-log li.msg.them .body', /断线期间的回复/);
  await staff(agent, `/tickets/${digits}/replies`, { body: '重连之后的回复' });
  await waitForText(page, '#chat-log li.msg.them .body', /重连之后的回复/);
  const after = await transcript(page);
  assert.deepEqual(after.slice(0, before.length), before);
  assert.deepEqual(after.slice(before.length), [['agent', '断线期间的回复'], ['agent', '重连之后的回复']]);
  assert.ok(await page.evaluate(() => window.__sockets.length) >= 2, 'a new connection was made');

  // Resolved: the satisfaction survey comes into the chat and is answered there, by keyboard.
  await staff(agent, `/tickets/${digits}/replies`, { body: '问题已解决，祝您愉快。', status: 'resolved' });
  const five = page.locator('#chat-log .survey-answer button[data-score="5"]').first();
  await five.waitFor({ timeout: 20000 });
  assert.match(await page.locator('#chat-log .survey-answer legend').first().textContent(), /打分/);
  assert.match(await page.locator('#chat-log li.msg[data-from=survey] .who').first().textContent(), /服务评价/);
  await screenshots(page, 'chat-survey');
  await five.focus();
  await page.keyboard.press('Enter');
  await page.locator('#chat-log .survey-done').waitFor();
  assert.match(await page.locator('#chat-log .survey-done').textContent(), /感谢/);
  assert.equal(await page.locator('#chat-log .survey-answer').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('chat: the keyboard alone writes, asks for a person and reaches the image button', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/chat`);
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  for (let i = 0; i < 20 && (await focused()) !== 'chat-input'; i += 1) await page.keyboard.press('Tab');
  assert.equal(await focused(), 'chat-input', 'Tab reaches the message box');
  await page.keyboard.type('收不到验证码');
  await page.keyboard.press('Enter');
  await page.locator('#chat-number').waitFor({ state: 'visible' });
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'chat-send');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'chat-person');
  await page.keyboard.press('Enter');
  await waitForText(page, '#chat-log li.msg.me .body', /转人工/);
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'chat-image', 'the image input takes the focus');
  const outline = await page.$eval('label[for=chat-image]', (l) => getComputedStyle(l).outlineStyle);
  assert.equal(outline, 'solid', 'and its button shows it');
  assert.deepEqual(problems, []);
  await context.close();
});

test('chat: an image is sent through the attachments route and shown', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/chat`);
  await say(page, '我的直播间被封了');
  await page.locator('#chat-number').waitFor({ state: 'visible' });
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 40, height: 30 } });
  await page.locator('#chat-image').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: png });
  const img = page.locator('#chat-log li.msg.me img.chat-image');
  await img.waitFor();
  await page.waitForFunction(() => {
    const i = document.querySelector('#chat-log li.msg.me img.chat-image');
    return i && i.complete && i.naturalWidth > 0;
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the online form with an image gives a number and a code that check the ticket', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/form`);
  await screenshots(page, 'form-empty');
  await page.getByLabel('问题类型').selectOption('account');
  const xss = '<script>alert(1)</script> 账号登录不上，提示异常';
  await page.getByLabel('问题描述').fill(xss);
  await page.getByLabel('联系方式').fill('<b>x</b>');
  // A required field left out, and a contact that is neither: both named.
  await page.locator('#online-form button[type=submit]').click();
  const errors = page.locator('#form-errors');
  await errors.waitFor();
  const errorText = await errors.textContent();
  assert.match(errorText, /账号 ID: 此类问题需要填写这一项。/);
  assert.match(errorText, /联系方式: 请填写邮箱或手机号。/);
  assert.doesNotMatch(errorText, /[a-z]{4,}/, `in the page's language: ${errorText}`);
  // The list has the focus; each item leads to its field, which is marked invalid.
  assert.equal(await page.evaluate(() => document.activeElement.id), 'form-errors');
  assert.equal(await page.locator('#contact').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#description').getAttribute('aria-invalid'), null);
  await errors.getByRole('link', { name: '账号 ID' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-account-account_id');
  assert.equal(await page.locator('#f-account-account_id').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('问题描述').inputValue(), xss, 'kept, as text');
  await screenshots(page, 'form-refused');

  await page.getByRole('textbox', { name: /账号 ID/ }).fill('user_42');
  await page.getByLabel('联系方式').fill('someone@example.com');
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 60, height: 40 } });
  await page.getByLabel('图片').setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: png });
  await page.locator('#online-form button[type=submit]').click();
  await page.locator('#form-result').waitFor();
  const shown = (await page.locator('#result-number').textContent()).trim();
  const code = (await page.locator('#result-code').textContent()).trim();
  assert.match(shown, /^\d{6}-\d{4}-\d{4}-\d$/);
  assert.match(code, /^[0-9A-Z]{8}$/);
  await screenshots(page, 'form-result');

  // One button opens the new ticket: nothing to type again.
  await page.locator('#result-check').click();
  const conversation = page.locator('.conversation');
  await conversation.waitFor();
  const bodies = await page.locator('.msg.me .body').allTextContents();
  assert.ok(bodies.includes(xss), JSON.stringify(bodies));
  assert.ok(await page.locator('.msg.me a.file').count() >= 1, 'the image is on the ticket');
  assert.equal((await page.locator('h1 .number').textContent()).trim(), shown);
  const injected = await page.evaluate(() =>
    [...document.scripts].filter((s) => s.textContent.includes('alert(1)')).length);
  assert.equal(injected, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a form post or a chat call without its CSRF token is refused', async () => {
  const { context, page } = await open(browser);
  await page.goto(`${BASE}/form`);
  await page.evaluate(() => document.querySelector('input[name=csrf]').remove());
  await page.getByLabel('问题类型').selectOption('general');
  await page.getByLabel('问题描述').fill('没有令牌的表单提交');
  await page.getByLabel('联系方式').fill('someone@example.com');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/form') && r.request().method() === 'POST'),
    page.locator('#online-form button[type=submit]').click(),
  ]);
  assert.equal(response.status(), 403);
  const status = await page.evaluate(async () => (await fetch('/chat/start', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"body":"hi"}',
  })).status);
  assert.equal(status, 403);
  await context.close();
});

test('English: switch the language, ask in English, get English', async () => {
  const { context, page, problems } = await open(browser);
  await page.goto(`${BASE}/chat`);
  await page.locator('#switch-lang').click();
  await page.waitForURL(/lang=en/);
  await page.getByRole('button', { name: 'Talk to a person' }).waitFor();
  await say(page, 'I cannot log in to my account');
  await page.waitForFunction(() => [...document.querySelectorAll('#chat-log li.msg.them[data-from=bot] .body')].length >= 1);
  const answer = await page.locator('#chat-log li.msg.them[data-from=bot] .body').first().textContent();
  assert.match(answer, /[a-z]{3,}/i);
  // English, though it may name the app's Chinese buttons in brackets: "Log in with code (验证码登录)".
  assert.doesNotMatch(answer.replace(/\([^)]*\)/g, ''), /[\u4e00-\u9fff]/, `an English answer: ${answer}`);
  await screenshots(page, 'chat-english');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the widget opens the chat in a frame on another site', async () => {
  const { context, page, problems } = await open(browser);
  // Another site (another origin): a page of its own, served from here.
  const shop = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta name="viewport" content="width=device-width"><title>Shop</title></head>
      <body><h1>A shop</h1><script src="${BASE}/widget.js" data-lang="en" data-position="left"></script></body></html>`);
  });
  await new Promise((ok) => shop.listen(0, '127.0.0.1', ok));
  after(() => shop.close());
  await page.goto(`http://127.0.0.1:${shop.address().port}/`);
  const button = page.locator('#kefu-widget-button');
  await button.waitFor();
  assert.equal(await button.textContent(), 'Customer service');
  await button.focus();
  await page.keyboard.press('Enter');
  const frame = page.frameLocator('#kefu-widget-panel iframe');
  await frame.getByRole('button', { name: 'Talk to a person' }).waitFor();
  await frame.getByLabel('Your message').fill('How do I withdraw my earnings?');
  await frame.getByLabel('Your message').press('Enter');
  await frame.locator('#chat-number').waitFor({ state: 'visible' });
  await frame.locator('#chat-log li.msg.them[data-from=bot]').first().waitFor();
  await screenshots(page, 'widget-open');
  // Escape inside the frame closes the panel and gives the focus back to the button.
  await frame.getByLabel('Your message').press('Escape');
  await page.locator('#kefu-widget-panel').waitFor({ state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'kefu-widget-button');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(problems, []);
  await context.close();
});
