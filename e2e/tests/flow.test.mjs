// One ticket's whole life in three browsers at once, nothing driven through the API: a
// customer searches the help center and reads an answer, chats with the bot, picks a
// suggestion by its button and asks for a person; an agent whose desk is open gets it
// without a reload, inserts a suggested answer and replies, and the customer sees it live;
// the agent escalates; a specialist of the account team takes it and sends it back, and it
// comes back onto the agent's desk; the agent resolves; the customer answers the satisfaction survey in the chat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, chatSay, launch, open, screenshots, signIn, waitForBotAfter, waitForText,
} from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Clicks a console move's submit button and waits for the view it goes back to. */
async function move(page, button) {
  await Promise.all([page.waitForURL(/\/console\/tickets\/\d+\?done=1$/), page.locator(button).click()]);
  await page.locator('#move-notice.ok').waitFor();
}

test('one ticket from the help center to the survey: customer, agent and specialist in three browsers', async () => {
  // The staff are at work before the customer writes: their desks are open.
  const agent = await open(browser);
  await signIn(agent.page, 'agent1@kefu.local');
  await agent.page.locator('#live-status:not(.off):not(:empty)').waitFor();
  const specialist = await open(browser);
  await signIn(specialist.page, 'account.security@kefu.local');
  const customer = await open(browser);
  const c = customer.page;

  // 1. The help center: the search answers as the customer types; the article reads.
  await c.goto(`${BASE}/`);
  await c.locator('#q').pressSequentially('收不到验证码', { delay: 40 });
  // (Answers come as the customer types: wait for the ones to the whole question.)
  await waitForText(c, '#live-results li a', /验证码/, 10_000);
  await c.locator('#live-results li a', { hasText: '验证码' }).first().click();
  await c.waitForURL(/\/help\/articles\//);
  assert.match(await c.locator('h1').textContent(), /验证码/);
  assert.ok((await c.locator('article .answer').textContent()).trim().length > 20, 'an answer to read');

  // 2. Still stuck: on to the chat from the article. The bot first, a suggestion by its button.
  await c.locator('#more-help').getByRole('link', { name: '在线客服' }).click();
  await c.waitForURL(/\/chat$/);
  await chatSay(c, '账号');
  await c.locator('#chat-number').waitFor({ state: 'visible' });
  const grouped = (await c.locator('#chat-number').textContent()).trim();
  const number = grouped.replace(/-/g, '');
  const pick = c.locator('button.suggestion', { hasText: '登录不上' }).first();
  await pick.waitFor();
  await screenshots(c, 'flow-customer-suggestions');
  const question = (await pick.textContent()).trim();
  await pick.click();
  await waitForBotAfter(c, new RegExp(`^${question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));

  // 3. A person, please: the bot asks what the agent will need, the customer says it.
  await c.getByRole('button', { name: '转人工' }).click();
  await waitForBotAfter(c, /转人工/);
  const problem = '我的账号 user_4711 登录不上，手机一直收不到验证码';
  await chatSay(c, problem);
  await waitForText(c, '#chat-log li.msg.me .body', /user_4711/);
  // Handed over: waiting in the queue, or with a person already.
  await waitForText(c, '#chat-queue, #chat-log li.msg.system .body', /您前面还有|下一位就是您|已加入会话/);
  await screenshots(c, 'flow-customer-handed-over');

  // 4. The agent's open desk gets it without a reload, on my tickets or in the queue.
  const row = agent.page.locator(`.trow[data-number="${number}"] a`);
  await row.waitFor({ timeout: 20_000 });
  await screenshots(agent.page, 'flow-agent-desk');
  await row.click();
  const a = agent.page;
  await a.locator('#ticket').waitFor();
  // The facts in the reader's language, not codes.
  assert.equal((await a.locator('#ticket-category').textContent()).trim(), '账号');
  assert.equal((await a.locator('#ticket-channel').textContent()).trim(), '网页（在线客服/表单）');
  // The bot's hand-over summary names what it answered by title, not by entry id.
  const summary = await a.locator('#handoff-summary').textContent();
  assert.match(summary, /user_4711/);
  assert.doesNotMatch(summary, /kb-[a-z_]+-\d+/, summary);
  assert.ok(summary.includes(question), `the picked suggestion is named in the summary: ${summary}`);

  // A suggested knowledge-base answer for the customer's last message, inserted with a click.
  const suggestion = (await a.locator('#suggestion-1').textContent()).trim();
  assert.ok(suggestion.length > 10, suggestion);
  await a.locator('[data-insert="suggestion-1"]').click();
  assert.equal((await a.locator('#reply-body').inputValue()).trim(), suggestion);
  await screenshots(a, 'flow-agent-ticket');
  await move(a, '#reply-submit');
  assert.match(await a.locator('#ticket-assignee').textContent(), /客服小李/);

  // 5. The customer sees the agent join and the reply, without a reload.
  await waitForText(c, '#chat-log li.msg.system .body', /已加入会话/);
  await c.waitForFunction((text) => [...document.querySelectorAll('#chat-log li.msg.them .body')]
    .some((b) => b.textContent.trim() === text), suggestion, { timeout: 15_000 });
  await screenshots(c, 'flow-customer-reply');

  // 6. The agent escalates to the account team with a reason.
  await a.locator('#escalate-form').evaluate((f) => { f.closest('details').open = true; });
  await a.locator('#escalate-team').selectOption('account_security');
  // (Staff-written texts are shown as text too: a payload would raise a dialog.)
  const reason = '需要核实账号安全记录，请专家组协助 <img src=x onerror=alert(1)>';
  await a.locator('#escalate-reason').fill(reason);
  await move(a, '#escalate-submit');
  assert.equal(await a.locator('#ticket-status').getAttribute('data-status'), 'escalated');
  assert.match(await a.locator('#ticket-team').textContent(), /账号专家组/);
  // The ticket left the agent: the live channel no longer follows it for them, and the view
  // says so rather than going quietly stale. Back to the desk.
  await a.locator('#ticket-not-live').waitFor({ timeout: 15_000 });
  assert.match(await a.locator('#ticket-not-live').textContent(), /不再实时更新/);
  await a.goto(`${BASE}/console`);
  await a.locator('#live-status:not(.off):not(:empty)').waitFor();

  // 7. The specialist's open desk gets it without a reload; they take it and send it back.
  const s = specialist.page;
  const srow = s.locator(`.trow[data-number="${number}"] a`);
  await srow.waitFor({ timeout: 20_000 });
  await screenshots(s, 'flow-specialist-desk');
  await srow.click();
  await s.locator('#ticket').waitFor();
  // The agent's reason is on the ticket for the specialist.
  assert.equal((await s.locator('#escalation-reason').textContent()).trim(), reason);
  if (await s.locator('#take-submit').count()) await move(s, '#take-submit');
  assert.match(await s.locator('#ticket-assignee').textContent(), /账号专家/);
  const findings = '已核实：账号无异常登录，验证码被运营商拦截，已加入白名单 <script>alert(2)</script>';
  await s.locator('#send-back-findings').fill(findings);
  await screenshots(s, 'flow-specialist-ticket');
  await move(s, '#send-back-submit');
  assert.notEqual(await s.locator('#ticket-status').getAttribute('data-status'), 'escalated');
  assert.equal(await s.locator('#send-back-form').count(), 0, 'nothing left to send back');

  // 8. Back with the agent: it comes onto their open desk's own list without a reload.
  const back = a.locator(`#mine .trow[data-number="${number}"] a`);
  await back.waitFor({ timeout: 20_000 });
  await back.click();
  await a.locator('#ticket').waitFor();
  assert.match(await a.locator('#ticket-assignee').textContent(), /客服小李/, 'back with the agent');
  assert.ok((await a.locator('#conversation .msg.note .body').allTextContents()).includes(findings),
    'with the findings, as text');
  // A move without the page's CSRF token is refused and changes nothing.
  const forged = await a.evaluate(async (n) => (await fetch(`/console/tickets/${n}/resolve`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '',
  })).status, number);
  assert.equal(forged, 403);
  assert.notEqual(await a.locator('#ticket-status').getAttribute('data-status'), 'resolved');
  await move(a, '#resolve-submit');
  assert.equal(await a.locator('#ticket-status').getAttribute('data-status'), 'resolved');
  await screenshots(a, 'flow-agent-resolved');

  // 9. The customer gets the survey in the chat and answers it.
  const five = c.locator('#chat-log .survey-answer button[data-score="5"]').first();
  await five.waitFor({ timeout: 20_000 });
  // On a phone (or with its keyboard open) the log is shorter: it still shows the newest.
  await c.setViewportSize({ width: 375, height: 640 });
  await c.waitForFunction(() => {
    const log = document.getElementById('chat-log');
    return log.scrollHeight - log.scrollTop - log.clientHeight < 8;
  });
  await screenshots(c, 'flow-customer-survey');
  await five.click();
  await c.locator('#chat-log .survey-done').waitFor();
  assert.match(await c.locator('#chat-log .survey-done').textContent(), /感谢/);

  for (const who of [customer, agent, specialist]) assert.deepEqual(who.problems, []);
  for (const who of [customer, agent, specialist]) await who.context.close();
});
