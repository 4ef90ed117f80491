// The report pages of the supervisor console: a supervisor in New York opens the reports,
// the page takes the browser's time zone, shows the tickets just opened in the volume
// report with its chart, downloads a table as the API's CSV, walks every tab (the staffing
// tab with tomorrow's forecast), filters by domain, is told which field is wrong for a
// backwards range, and reads the page in English; screenshots at 1280 and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, open, screenshots, openTicket, signIn } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const ZONE = 'America/New_York';

/** The number in `column` of the row whose first cell is `key`, in the table `id`. */
async function cell(page, id, key, column) {
  return page.evaluate(([id, key, column]) => {
    const table = document.querySelector(`#table-${id} table`);
    if (!table) return null;
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
    const at = heads.indexOf(column);
    const row = [...table.querySelectorAll('tbody tr')].find((tr) => tr.cells[0].textContent.trim() === key);
    return row && at >= 0 ? row.cells[at].textContent.trim() : null;
  }, [id, key, column]);
}

test('a supervisor reads every report in their time zone, with charts, filters and CSV', async () => {
  const before = Date.now();
  for (let i = 0; i < 3; i += 1) await openTicket(`report-e2e-${before}-${i}`, '我的账号被封了，要申诉');
  const { context, page, problems } = await open(browser, { timezoneId: ZONE });
  await signIn(page, 'supervisor@kefu.local');
  await page.goto(`${BASE}/console/reports`);
  // The script reloads the page with the browser's zone.
  await page.waitForURL(/tz=America%2FNew_York/);
  assert.equal(await page.locator('#tz').inputValue(), ZONE);
  assert.equal(await page.locator('#tab-volume').getAttribute('aria-current'), 'page');
  // The rollup worker folds new events within seconds: reload until the tickets show.
  let opened = 0;
  for (let tries = 0; tries < 40 && opened < 3; tries += 1) {
    await page.reload();
    opened = Number(await cell(page, 'by_channel', 'App 内', '新建')) || 0;
    if (opened < 3) await page.waitForTimeout(500);
  }
  assert.ok(opened >= 3, `in_app opened ${opened}`);
  assert.ok(await page.locator('#table-by_hour_of_day figure svg').count() === 1, 'the hour chart');
  assert.match(await page.locator('#table-by_hour_of_day').textContent(), /按时段/);
  await screenshots(page, 'console-reports-volume');

  // The CSV link answers the API's CSV of that table.
  const href = await page.locator('#csv-by_channel').getAttribute('href');
  assert.match(href, /table=by_channel/);
  assert.match(href, /tz=America%2FNew_York/);
  const csv = await page.request.get(`${BASE}${href}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.match(csv.headers()['content-disposition'], /attachment; filename="volume-by_channel-/);
  const body = await csv.text();
  assert.ok(body.startsWith('channel,opened\n'), body);
  assert.match(body, new RegExp(`in_app,${opened}`));

  // Every tab shows its tables; the staffing tab has tomorrow's forecast and its chart.
  for (const [name, table] of [['bot', 'summary'], ['speed', 'timings'], ['promise', 'summary'],
    ['satisfaction', 'low_score_reviews'], ['staffing', 'forecast']]) {
    await page.locator(`#tab-${name}`).click();
    await page.waitForURL(new RegExp(`/console/reports/${name}\\?`));
    assert.equal(await page.locator(`#tab-${name}`).getAttribute('aria-current'), 'page');
    await page.locator(`#table-${table}`).waitFor();
    assert.match(page.url(), /tz=America%2FNew_York/, 'the range and zone carry over');
  }
  assert.equal(await page.locator('#table-by_hour figure svg').count(), 1, 'staff by hour chart');
  const forecastRows = await page.locator('#table-forecast tbody tr').count();
  assert.equal(forecastRows, 1, 'one forecast row: the seeded agents are on duty');
  await screenshots(page, 'console-reports-staffing');

  // A domain filter goes into the address and the tables.
  await page.locator('#tab-volume').click();
  await page.waitForURL(/\/console\/reports\/volume\?/);
  await page.locator('#domain').selectOption('account');
  await page.locator('#show-report').click();
  await page.waitForURL(/domain=account/);
  assert.equal(await page.locator('#domain').inputValue(), 'account');
  assert.equal(await page.locator('#table-by_domain tbody tr').count() <= 1, true);

  // A backwards range names the field.
  const url = new URL(page.url());
  url.searchParams.set('from', '2026-03-10');
  url.searchParams.set('to', '2026-03-01');
  const bad = await page.goto(url.toString());
  assert.equal(bad.status(), 422);
  assert.match(await page.locator('#report-errors').textContent(), /to:/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the report pages read in English', async () => {
  const { context, page, problems } = await open(browser, { locale: 'en-US', timezoneId: 'UTC' });
  await signIn(page, 'supervisor@kefu.local');
  await page.goto(`${BASE}/console/reports/speed?tz=UTC&lang=en`);
  assert.match(await page.locator('h1').textContent(), /Reports/);
  assert.match(await page.locator('#table-timings').textContent(), /Median \(s\)/);
  assert.match(await page.locator('#csv-timings').textContent(), /Download CSV/);
  await screenshots(page, 'console-reports-speed-en');
  assert.deepEqual(problems, []);
  await context.close();
});
