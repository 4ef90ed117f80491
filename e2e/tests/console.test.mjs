// The agent console in Chromium: an agent signs in, sees a ticket the bot handed over on the
// desk, opens it (summary, suggested answers), inserts a suggested answer with one click,
// replies, sees the customer's next message arrive without a reload, and resolves it with
// the keyboard. New tickets reach the open desk without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, openTicket, say, screenshots, signIn } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A ticket the bot handed over to a person, with a question the knowledge base answers. */
async function handedOver(externalId) {
  const t = await openTicket(externalId, '请问客服是免费的吗');
  await say(t, '我要转人工');
  const after = await say(t, '账号 13800138000，直播带货的佣金一直没结算');
  assert.equal(after.status, 'queued');
  await say(t, '<script>alert(1)</script> 作品一直显示审核中，审核需要多长时间？');
  return t;
}

test('an agent works a handed-over ticket from the desk to resolved', async () => {
  const ticket = await handedOver('e2e-console-1');
  const { context, page, problems } = await open(browser);
  await signIn(page, 'agent1@kefu.local');
  const row = page.locator(`.trow[data-number="${ticket.number}"] a`);
  await row.waitFor();
  await page.locator('#live-status:not(:empty)').waitFor();
  await page.locator('.sla .left').first().waitFor();
  await screenshots(page, 'console-desk');

  // A ticket opened while the desk is open shows up without a reload.
  const fresh = await openTicket('e2e-console-2', '我的账号被盗了，绑定的手机号也被改了');
  await page.locator(`.trow[data-number="${fresh.number}"]`).waitFor({ timeout: 20000 });
  assert.match(await page.title(), /^\(\d+\) /, 'the title counts what is new');

  // `q` opens the first ticket of the queue (the desk lists its shortcuts).
  assert.match(await page.locator('#shortcuts').textContent(), /队列/);
  const first = await page.locator('#queue .tlink').first().getAttribute('href');
  await Promise.all([page.waitForURL(`${BASE}${first}`), page.keyboard.press('q')]);
  await page.locator('#ticket').waitFor();
  await page.goBack();
  await row.click();
  await page.locator('#ticket').waitFor();
  assert.match(await page.locator('#handoff-summary').textContent(), /13800138000/);
  const payload = page.locator('.msg.customer .body', { hasText: '<script>alert(1)</script>' });
  assert.equal(await payload.count(), 1, 'the customer text shows as text');
  const suggestion = (await page.locator('#suggestion-1').textContent()).trim();
  assert.ok(suggestion.length > 10, suggestion);
  await page.locator('[data-insert="suggestion-1"]').click();
  assert.equal((await page.locator('#reply-body').inputValue()).trim(), suggestion);
  await screenshots(page, 'console-ticket');
  await Promise.all([page.waitForURL(/done=1/), page.locator('#reply-submit').click()]);
  await page.locator('#move-notice').waitFor();
  const replies = await page.locator('.msg.agent .body').allTextContents();
  assert.ok(replies.some((r) => r.trim() === suggestion), JSON.stringify(replies));
  assert.match(await page.locator('#ticket-assignee').textContent(), /客服小李/);

  // The customer answers; it appears live.
  await page.locator('#live-status:not(.off):not(:empty)').waitFor();
  await say(ticket, '好的，谢谢');
  await page.locator('.msg.customer .body', { hasText: '好的，谢谢' }).waitFor({ timeout: 15000 });

  // `s` resolves (the shortcut list on the page says so).
  assert.match(await page.locator('#shortcuts').textContent(), /标记已解决/);
  // (The address already ends in done=1 from the reply: wait for the new page's status.)
  await page.keyboard.press('s');
  await page.locator('#ticket-status[data-status="resolved"]').waitFor();
  assert.equal((await page.locator('#ticket-status').textContent()).trim(), '已解决');
  await screenshots(page, 'console-ticket-resolved');
  const injected = await page.evaluate(() =>
    [...document.scripts].filter((s) => s.textContent.includes('alert(1)')).length);
  assert.equal(injected, 0);
  assert.deepEqual(problems, []);
  await context.close();
});
