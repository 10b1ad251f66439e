// Targets, weak links, the subscription drive, events, the annual report and headquarters in
// headless Chromium, against the real binary serving the demo: on SQLite, and on PostgreSQL too
// when TONGLIAN_TEST_PG is set.
//
//   node --test targets.test.mjs        (scripts/test runs it after portal.test.mjs)
//
// The editor sees which units lag and why, sets a target in the form, downloads the month's
// bulletin and the annual report as Word files, finds the drive's 1404 copies and records an
// event with two units ticked; headquarters ranks the stations and is told line by line what
// is wrong with criteria it mistyped. No page runs anything the CSP refuses.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { backends, startApp, launchBrowser, login, open, clickAndWait, pathOf, screenshot, SCREENSHOTS } from './lib.mjs';

fs.mkdirSync(SCREENSHOTS, { recursive: true });

/** The cells' texts of each row matched by `rows`. */
async function cells(rows) {
  return rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim())));
}

/** Clicks a download link and returns the file's first bytes and name. */
async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), head: fs.readFileSync(file).subarray(0, 2).toString('latin1') };
}

for (const backend of backends()) {
  describe(`targets, media work and headquarters on ${backend.name}`, () => {
    let app;
    let chrome;
    const pages = [];
    const as = async (user) => {
      const page = await login(chrome.browser, app, user);
      pages.push(page);
      return page;
    };

    before(async () => {
      app = await startApp(backend, { label: 'targets' });
      chrome = await launchBrowser();
    });

    after(async () => {
      for (const p of pages) await p.context().close().catch(() => {});
      if (chrome) await chrome.close().catch(() => {});
      if (app) await app.stop();
    });

    test('the editor sees the weak links, sets a target and downloads the bulletin', async () => {
      const page = await as('editor');
      // The dashboard puts weak links first.
      assert.ok(await page.locator('#weak-links').count(), 'no weak-links card on the dashboard');
      await clickAndWait(page, 'header nav a[href="/progress"]');
      const weak = await cells(page.locator('#progress tbody tr.weak'));
      assert.ok(weak.length > 0, 'no unit is shown behind pace');
      const ezhou = weak.filter((c) => c[0] === '鄂州市');
      assert.equal(ezhou.length, 3, '鄂州市 is far behind on its three targets');
      for (const c of ezhou) assert.equal(c[7], '严重滞后');
      await screenshot(page, `${backend.name}-targets-progress`);

      // A target typed in the form.
      await open(page, '/targets?year=2007');
      await page.selectOption('#owner', { label: '黄石市' });
      await page.selectOption('#metric', { label: '讲座' });
      await page.fill('#value', '4');
      await clickAndWait(page, '#save-target');
      assert.equal(pathOf(page), '/targets');
      const rows = await cells(page.locator('#targets tbody tr'));
      assert.ok(rows.some((c) => c[0] === '黄石市' && c[1] === '讲座' && c[2] === '4'), 'the new target is not listed');

      // The bulletin, as a page and as Word.
      await open(page, '/progress/bulletin?year=2007&month=6');
      assert.match(await page.locator('h1').innerText(), /2007年6月目标任务进展通报/);
      const doc = await download(page, '#bulletin-docx');
      assert.equal(doc.head, 'PK', 'the bulletin is not a .docx (zip) file');
      assert.match(doc.name, /\.docx$/);
      assert.deepEqual(page.problems, [], 'a page tried to run something (CSP refused it)');
    });

    test('the drive shows 1404 copies by unit; an event is recorded with two units', async () => {
      const page = await as('editor');
      await open(page, '/subscriptions');
      await clickAndWait(page, '#campaigns a');
      assert.match(await page.locator('#campaign-total').innerText(), /1404/);
      const units = await cells(page.locator('#by-unit tbody tr'));
      assert.equal(units.reduce((n, c) => n + Number(c[3]), 0), 1404, 'the units do not add up to 1404');
      assert.equal(await page.locator('figure.chart svg').count(), 1, 'no chart of copies by unit');

      await open(page, '/events?year=2007');
      await page.selectOption('#kind', 'briefing');
      await page.fill('#title', '浏览器测试通气会');
      await page.fill('#held_on', '2007-12-18');
      await page.check('input[name="unit_ids"] >> nth=0');
      await page.check('input[name="unit_ids"] >> nth=3');
      await clickAndWait(page, '#save-event');
      assert.match(pathOf(page), /^\/events\/\d+$/);
      const row = (await cells(page.locator('#events tbody tr'))).find((c) => c[2] === '浏览器测试通气会');
      assert.ok(row, 'the event is not listed');
      assert.equal(row[3], '武汉市、宜昌市');
      await screenshot(page, `${backend.name}-targets-events`);
      assert.deepEqual(page.problems, [], 'a page tried to run something (CSP refused it)');
    });

    test('the annual report comes out as Word with the seed\'s figures', async () => {
      const page = await as('editor');
      await open(page, '/reports/annual/2007');
      const figures = await cells(page.locator('#annual-figures tbody tr'));
      const get = (label) => (figures.find((c) => c[0] === label) || [])[1];
      assert.equal(get('《中国知识产权报》发表稿件（篇）'), '127');
      assert.equal(get('征订份数（份）'), '1404');
      assert.equal(await page.locator('figure.chart svg').count(), 2, 'charts by unit and by month');
      const doc = await download(page, '#annual-docx');
      assert.equal(doc.head, 'PK');
      await screenshot(page, `${backend.name}-targets-annual`);
      assert.deepEqual(page.problems, []);
    });

    test('headquarters ranks the stations and explains a mistyped criterion', async () => {
      const page = await as('hq');
      await clickAndWait(page, 'header nav a[href="/hq"]');
      const stations = await cells(page.locator('#stations tbody tr'));
      assert.equal(stations.length, 5, 'not every station is listed');
      assert.equal(await page.locator('#award-best_station tr.awarded').count(), 3);
      await screenshot(page, `${backend.name}-targets-hq`);
      await open(page, '/hq/awards');
      const source = await page.inputValue('#source');
      await page.fill('#source', source.replace('top = 3', 'top = 0'));
      await clickAndWait(page, '#save-awards', { allowError: true });
      const errors = await page.locator('#award-errors').innerText();
      assert.match(errors, /第\d+行/, 'the mistake is not tied to its line');
      assert.deepEqual(page.problems, []);
    });
  });
}
