// The console's supervisor and admin pages: an admin edits a knowledge-base article,
// publishes it and the help center's search answers with the new text; a "must read"
// policy shows for an agent until acknowledged and the supervisor sees the acknowledgement;
// the supervisor dashboard shows its charts and reassigns a ticket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BASE, launch, open, screenshots, openTicket } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The seeded accounts' passwords, from kefu's first-start output. */
function password(email) {
  const out = fs.readFileSync(process.env.KEFU_FIRST_START, 'utf8');
  const line = out.split('\n').find((l) => l.includes(` ${email} `));
  assert.ok(line, `no account ${email} in the first-start output`);
  return line.match(/password: (\S+)/)[1];
}

async function signIn(email, opts) {
  const s = await open(browser, opts);
  await s.page.goto(`${BASE}/console/login`);
  await s.page.locator('#email').fill(email);
  await s.page.locator('#password').fill(password(email));
  await s.page.locator('#login-submit').click();
  await s.page.waitForURL(`${BASE}/console`);
  return s;
}

test('an admin edits a knowledge-base article, publishes it, and the help center answers with it', async () => {
  const { context, page, problems } = await signIn('admin@kefu.local');
  await page.goto(`${BASE}/console/kb`);
  await screenshots(page, 'console-kb-list');
  const first = page.locator('#kb-articles a').first();
  const href = await first.getAttribute('href');
  const id = href.split('/').pop();
  await first.click();
  await page.waitForURL(`${BASE}/console/kb/${id}`);
  const token = `彩虹独角兽${Date.now() % 100000}`;
  const answer = `${token}：请在「设置 > 账号」里操作。<b>加粗</b>`;
  await page.locator('#kb-answer').fill(answer);
  const similar = await page.locator('#kb-similar').inputValue();
  await page.locator('#kb-similar').fill(`${similar}\n${token}怎么办`);
  await page.locator('#kb-save-publish').click();
  await page.waitForURL(`${BASE}/console/kb/${id}`);
  // The new version is published, and the diff shows the changed answer as text.
  assert.match(await page.locator('#kb-versions').textContent(), /v2/);
  const added = page.locator('#kb-diff .added');
  assert.ok((await added.count()) >= 2);
  assert.match(await page.locator('#kb-diff').textContent(), /<b>加粗<\/b>/);
  assert.equal(await page.locator('#kb-diff b').count(), 0, 'shown as text');
  await screenshots(page, 'console-kb-edit');
  const r = await fetch(`${BASE}/api/v1/help/search?q=${encodeURIComponent(`${token}怎么办`)}`);
  assert.equal(r.status, 200);
  const found = await r.json();
  const text = JSON.stringify(found);
  assert.ok(text.includes(token), text.slice(0, 400));
  await page.goto(`${BASE}/help/search?q=${encodeURIComponent(`${token}怎么办`)}`);
  assert.match(await page.locator('main').textContent(), new RegExp(token));
  assert.deepEqual(problems, []);
  await context.close();
});

test('a must-read policy shows for an agent until acknowledged, and the supervisor sees it', async () => {
  const sup = await signIn('supervisor@kefu.local');
  await sup.page.goto(`${BASE}/console/policies`);
  const title = `直播带货新规 ${Date.now() % 100000}`;
  await sup.page.locator('#policy-title').fill(title);
  await sup.page.locator('#policy-body').fill('即日起，直播间带货须展示资质。<script>alert(1)</script>');
  await sup.page.locator('#publish-form button[type=submit]').click();
  await sup.page.waitForURL(/\/console\/policies\/\d+$/);
  const policyUrl = sup.page.url();
  assert.match(await sup.page.locator('.policy-body').textContent(), /<script>alert\(1\)<\/script>/);

  const agent = await signIn('agent1@kefu.local');
  const banner = agent.page.locator('#policy-banner a');
  await banner.waitFor({ timeout: 10_000 });
  await screenshots(agent.page, 'console-policy-banner');
  await banner.click();
  await agent.page.waitForURL(`${BASE}/console/policies`);
  const unread = agent.page.locator('#unread .policy', { hasText: title });
  await unread.waitFor();
  await screenshots(agent.page, 'console-policies-unread');
  await unread.locator('button.ack').click();
  await agent.page.waitForURL(`${BASE}/console/policies`);
  assert.equal(await agent.page.locator('#unread .policy', { hasText: title }).count(), 0);
  await agent.page.goto(`${BASE}/console`);
  await agent.page.waitForTimeout(1500);
  assert.equal(await agent.page.locator('#policy-banner').count(), 0, 'no banner once acknowledged');

  await sup.page.goto(policyUrl);
  const row = sup.page.locator('#acks tr.acked', { hasText: 'agent1@kefu.local' });
  await row.waitFor();
  assert.equal(await sup.page.locator('#acks tr.pending', { hasText: 'agent1@kefu.local' }).count(), 0);
  await screenshots(sup.page, 'console-policy-acks');
  assert.deepEqual(sup.problems, []);
  assert.deepEqual(agent.problems, []);
  await sup.context.close();
  await agent.context.close();
});

test('the supervisor dashboard shows its charts and reassigns a ticket', async () => {
  const t1 = await openTicket('e2e-dash-1', '我的账号被盗了，怎么办？转人工');
  await openTicket('e2e-dash-2', '直播间被封了，申诉');
  const { context, page, problems } = await signIn('supervisor@kefu.local');
  await page.goto(`${BASE}/console/supervisor`);
  for (const id of ['#hours-chart svg', '#queue-chart svg']) {
    assert.equal(await page.locator(id).count(), 1, id);
  }
  assert.ok((await page.locator('#hours-chart svg rect').count()) > 10, 'hour bars');
  assert.ok((await page.locator('#hours-chart svg polyline').count()) >= 2, 'staffing lines');
  await screenshots(page, 'console-supervisor');
  const item = page.locator('#nearest li').first();
  await item.waitFor();
  const number = await item.getAttribute('data-number');
  const form = item.locator('form.reassign');
  await form.locator('select').selectOption({ label: await form.locator('select option').first().textContent() });
  await form.locator('button').click();
  await page.waitForURL(`${BASE}/console/supervisor`);
  const after = page.locator(`#nearest li[data-number="${number}"]`);
  if (await after.count()) {
    assert.doesNotMatch(await after.textContent(), /未分配/);
  }
  // The dashboard section is refreshed in place.
  await page.evaluate(() => { document.getElementById('bot-stats').setAttribute('data-old', '1'); });
  await page.waitForFunction(() => !document.querySelector('#bot-stats[data-old]'), null, { timeout: 15_000 });
  assert.ok(t1.number);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a supervisor sets shifts on the week grid; an admin creates an API key and sees the SLA targets and the dead jobs', async () => {
  const sup = await signIn('supervisor@kefu.local');
  await sup.page.goto(`${BASE}/console/rosters`);
  await sup.page.locator('details.roster-form summary').first().click();
  const form = sup.page.locator('details.roster-form form').first();
  await form.locator('textarea').fill('mon tue wed thu fri 09:00-18:00 +12:00/60\nsat 22:00-06:00');
  await form.locator('button[type=submit]').click();
  await sup.page.waitForURL(/\/console\/rosters/);
  const row = sup.page.locator('#week-grid tbody tr').first();
  assert.equal(await row.locator('.shift', { hasText: '09:00–18:00' }).count(), 5);
  assert.equal(await sup.page.locator('#coverage tbody tr').first().locator('td').count(), 24);
  await screenshots(sup.page, 'console-rosters');
  assert.deepEqual(sup.problems, []);
  await sup.context.close();

  const admin = await signIn('admin@kefu.local');
  await admin.page.goto(`${BASE}/console/admin/api-keys`);
  await admin.page.locator('#key-name').fill('微博接入 <i>x</i>');
  await admin.page.locator('#key-channel').selectOption('social');
  await admin.page.locator('#key-name').press('Enter');
  await admin.page.locator('#new-key code').waitFor();
  assert.match(await admin.page.locator('#new-key code').textContent(), /^kefu_k_/);
  assert.match(await admin.page.locator('#keys').textContent(), /微博接入 <i>x<\/i>/);
  await screenshots(admin.page, 'console-api-keys');
  await admin.page.goto(`${BASE}/console/admin/sla`);
  await admin.page.locator('#sla-policies tbody tr').first().waitFor();
  await screenshots(admin.page, 'console-sla');
  await admin.page.goto(`${BASE}/console/admin/jobs`);
  await admin.page.locator('h1').waitFor();
  await screenshots(admin.page, 'console-jobs');
  assert.deepEqual(admin.problems, []);
  await admin.context.close();
});
