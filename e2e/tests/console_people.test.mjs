// The console's people and catalogue pages: an admin creates a team, a category that needs
// certification, and an agent with a certified skill and a language in that team; the new
// agent signs in and the skills page shows the certification; refused fields are marked
// next to their inputs; a post without its CSRF token is refused; an XSS payload in a name
// shows as text. Screenshots console-{categories,teams,agents,agents-refused,agent,skills,skills-en}-
// {1280,375}.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, screenshots, signIn } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';
const suffix = String(Date.now() % 100000);

/** Submits a form by its button (a selector or a locator); the POST's answer, once the
 *  page it leads to (after any redirect) has loaded. */
async function submit(page, button) {
  const target = typeof button === 'string' ? page.locator(button) : button;
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST'),
    page.waitForNavigation(),
    target.click(),
  ]);
  return response;
}

test('an admin sets up a team, a category and a certified agent, who can then sign in', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'admin@kefu.local');

  // A team, its name an XSS payload (shown as text).
  await page.goto(`${BASE}/console/admin/teams`);
  const teamCode = `vip_${suffix}`;
  const teamName = `VIP 组 ${XSS}`;
  // A bad code first: the message stands next to the code field, the name is kept.
  await page.locator('#team-code').fill('Bad Code');
  await page.locator('#team-name').fill(teamName);
  let r = await submit(page, '#team-save');
  assert.equal(r.status(), 422);
  assert.equal(await page.locator('#team-code').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#err-code').textContent(), /小写字母/);
  assert.equal(await page.locator('#team-name').inputValue(), teamName);
  await page.locator('#team-code').fill(teamCode);
  await page.locator('#team-specialist').check();
  r = await submit(page, '#team-save');
  assert.equal(r.status(), 303);
  const teamRow = page.locator('#teams tr', { hasText: teamCode });
  assert.match(await teamRow.textContent(), /<img src=x onerror=alert\(1\)><script>alert\(2\)<\/script>/);
  assert.equal(await page.locator('#teams img').count(), 0, 'the payload is text');
  await screenshots(page, 'console-teams');

  // A category escalating to it, routed only to certified agents.
  await page.goto(`${BASE}/console/admin/categories`);
  const catCode = `vip_care_${suffix}`;
  await page.locator('#category-code').fill(catCode);
  await page.locator('#category-name-zh').fill('');
  await page.locator('#category-name-en').fill('VIP care');
  r = await submit(page, '#category-save');
  assert.equal(r.status(), 422);
  assert.ok(await page.locator('#err-name_zh').isVisible());
  assert.equal(await page.locator('#category-code').inputValue(), catCode);
  // (the Chinese name holds 50 characters: a shorter payload)
  await page.locator('#category-name-zh').fill('大客户 <script>alert(2)</script>');
  await page.locator('#category-team').selectOption(teamCode);
  await page.locator('#category-requires-cert').check();
  r = await submit(page, '#category-save');
  assert.equal(r.status(), 303);
  const catRow = page.locator(`#category-${catCode}`);
  const catText = await catRow.textContent();
  assert.match(catText, new RegExp(teamCode));
  assert.match(catText, /<script>alert\(2\)<\/script>/);
  // Its edit link fills the form with the stored values.
  await catRow.locator('a').click();
  assert.equal(await page.locator('#category-code').inputValue(), catCode);
  assert.ok(await page.locator('#category-requires-cert').isChecked());
  await screenshots(page, 'console-categories');

  // An agent in the team, certified in the new domain, speaking English too.
  await page.goto(`${BASE}/console/admin/agents`);
  const email = `vip${suffix}@kefu.local`;
  const agentName = `小王 ${XSS}`;
  await page.locator('#agent-email').fill(email);
  await page.locator('#agent-name').fill(agentName);
  await page.locator('#agent-role').selectOption('specialist');
  await page.locator('#agent-team').selectOption({ label: teamName });
  await page.locator('#agent-capacity').fill('3');
  await page.locator('#agent-password').fill('short');
  await page.locator(`#new-level-${catCode}`).selectOption('4');
  await page.locator(`#new-cert-${catCode}`).check();
  await page.locator('#new-languages').fill('zh-CN:5 en:3');
  r = await submit(page, '#agent-save');
  assert.equal(r.status(), 422);
  assert.match(await page.locator('#err-password').textContent(), /10/);
  // What was written is kept, the password excepted.
  assert.equal(await page.locator('#agent-email').inputValue(), email);
  assert.equal(await page.locator(`#new-level-${catCode}`).inputValue(), '4');
  assert.ok(await page.locator(`#new-cert-${catCode}`).isChecked());
  assert.equal(await page.locator('#new-languages').inputValue(), 'zh-CN:5 en:3');
  await screenshots(page, 'console-agents-refused');
  const password = `vip-pass-${suffix}-long`;
  await page.locator('#agent-password').fill(password);
  r = await submit(page, '#agent-save');
  assert.equal(r.status(), 200);
  assert.match(await page.locator('#agent-created').textContent(), /<script>alert\(2\)<\/script>/);
  assert.equal(await page.locator('#generated-password').count(), 0, 'no password generated');
  const row = page.locator('#agents tr', { hasText: email });
  const rowText = await row.textContent();
  assert.match(rowText, /专家/);
  assert.match(rowText, /大客户 <script>alert\(2\)<\/script> 4 ✓/);
  assert.match(rowText, /en 3/);
  assert.equal(await page.locator('#agents img').count(), 0);
  await screenshots(page, 'console-agents');

  // The account's page: a change is saved and read back.
  await row.locator('a').click();
  await page.waitForURL(/\/console\/admin\/agents\/\d+$/);
  const agentUrl = page.url();
  assert.equal(await page.locator('#agent-name').inputValue(), agentName);
  assert.equal(await page.locator(`#edit-level-${catCode}`).inputValue(), '4');
  await page.locator('#agent-capacity').fill('4');
  r = await submit(page, '#agent-save');
  assert.equal(r.status(), 303);
  assert.ok(await page.locator('#agent-saved').isVisible());
  assert.equal(await page.locator('#agent-capacity').inputValue(), '4');
  await screenshots(page, 'console-agent');

  // The skills page shows the certification.
  await page.goto(`${BASE}/console/admin/skills`);
  const matrixRow = page.locator(`#skill-matrix #agent-${agentUrl.split('/').pop()}`);
  assert.match(await matrixRow.locator(`td[data-code=${catCode}]`).textContent(), /4\s*✓/);
  await screenshots(page, 'console-skills');

  // The new agent signs in with the password the admin set.
  const agent = await open(browser);
  await agent.page.goto(`${BASE}/console/login`);
  await agent.page.locator('#email').fill(email);
  await agent.page.locator('#password').fill(password);
  await agent.page.locator('#login-submit').click();
  await agent.page.waitForURL(`${BASE}/console`);
  assert.match(await agent.page.locator('#me').textContent(), /<script>alert\(2\)<\/script>/);
  // An agent does not reach the admin pages.
  const denied = await agent.page.goto(`${BASE}/console/admin/agents`);
  assert.equal(denied.status(), 403);

  // Deactivated, the account is signed out at once.
  await page.goto(agentUrl);
  r = await submit(page, '#agent-deactivate');
  assert.equal(r.status(), 303);
  assert.equal(await page.locator('#agent-status').textContent(), '已停用');
  await agent.page.goto(`${BASE}/console`);
  assert.match(agent.page.url(), /\/console\/login/);

  assert.deepEqual(problems, []);
  assert.deepEqual(agent.problems, []);
  await agent.context.close();
  await context.close();
});

test('a supervisor certifies an agent on the skills page; posts without a CSRF token are refused', async () => {
  const { context, page, problems } = await open(browser);
  await signIn(page, 'supervisor@kefu.local');
  await page.goto(`${BASE}/console/admin/skills`);
  const first = page.locator('details.roster-form').first();
  const agentId = (await first.getAttribute('id')).slice('skills-'.length);
  await first.locator('summary').click();
  // The domain the first test added (no ticket is routed there, so other tests are untouched).
  const code = `vip_care_${suffix}`;
  const level = first.locator(`select[name="level.${code}"]`);
  const before = await level.inputValue();
  // A certification without a level is refused, next to the fieldset, the form open.
  await level.selectOption('');
  await first.locator(`input[name="cert.${code}"]`).check();
  let r = await submit(page, first.locator('button[type=submit]'));
  assert.equal(r.status(), 422);
  const opened = page.locator('details.roster-form[open]');
  assert.equal(await opened.count(), 1);
  assert.equal(await opened.getAttribute('id'), `skills-${agentId}`);
  assert.match(await opened.locator('.field-error').textContent(), /等级/);
  assert.ok(await opened.locator(`input[name="cert.${code}"]`).isChecked(), 'kept as posted');
  await opened.locator(`select[name="level.${code}"]`).selectOption('5');
  r = await submit(page, opened.locator('button[type=submit]'));
  assert.equal(r.status(), 303);
  const cell = page.locator(`#agent-${agentId} td[data-code=${code}]`);
  assert.match(await cell.textContent(), /5\s*✓/);
  assert.equal(before, '', 'the agent had no skill in the new domain before');

  // Supervisors read the teams and accounts but get no form; only admins change them.
  await page.goto(`${BASE}/console/admin/teams`);
  assert.equal(await page.locator('#team-form').count(), 0);
  await page.goto(`${BASE}/console/admin/agents`);
  assert.equal(await page.locator('#agent-form').count(), 0);

  // The skills form refuses a post without its token.
  await page.goto(`${BASE}/console/admin/skills`);
  await page.evaluate(() => document.querySelectorAll('input[name=csrf]').forEach((e) => e.remove()));
  await page.locator('details.roster-form summary').first().click();
  r = await submit(page, page.locator('details.roster-form[open] button[type=submit]'));
  assert.equal(r.status(), 403);

  // In English, a refused language is said in the service's words, next to the field.
  await page.goto(`${BASE}/console/admin/skills?lang=en`);
  assert.equal(await page.locator('h1').textContent(), 'Skills and certifications');
  await page.locator(`#skills-${agentId} summary`).click();
  await page.locator(`#a${agentId}-languages`).fill('en:9');
  r = await submit(page, page.locator(`#skills-${agentId} button[type=submit]`));
  assert.equal(r.status(), 422);
  assert.match(await page.locator(`#a${agentId}-err-languages`).textContent(), /en:9: write a language tag and a level from 1 to 5/);
  // The matrix shows what is stored, not what was refused.
  assert.doesNotMatch(await page.locator(`#skill-matrix #agent-${agentId}`).textContent(), /en:9/);
  await screenshots(page, 'console-skills-en');
  assert.deepEqual(problems, []);
  await context.close();

  // And so does every admin form of these pages.
  const admin = await open(browser);
  await signIn(admin.page, 'admin@kefu.local');
  for (const [path, button] of [
    ['/console/admin/teams', '#team-save'],
    ['/console/admin/categories', '#category-save'],
    ['/console/admin/agents', '#agent-save'],
  ]) {
    await admin.page.goto(`${BASE}${path}`);
    await admin.page.evaluate(() => document.querySelectorAll('input[name=csrf]').forEach((e) => e.remove()));
    r = await submit(admin.page, button);
    assert.equal(r.status(), 403, path);
  }
  assert.deepEqual(admin.problems, []);
  await admin.context.close();
});
