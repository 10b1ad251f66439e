// Journeys through Tonglian in headless Chromium, against the real binary serving the demo
// data: on SQLite, and on PostgreSQL too when TONGLIAN_TEST_PG is set.
//
//   node --test journeys.test.mjs        (scripts/test runs it after the Rust tests)
//
// The steps of one backend run in order and build on each other: a correspondent's draft is
// revised by the mentor, accepted and placed twice by the editor, then seen by its author.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  backends,
  startApp,
  launchBrowser,
  newPage,
  login,
  open,
  clickAndWait,
  pathOf,
  mainText,
  selectSome,
  screenshot,
  today,
  PASSWORD,
  SCREENSHOTS,
} from './lib.mjs';

// Screenshots of this run only.
fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
fs.mkdirSync(SCREENSHOTS, { recursive: true });

for (const backend of backends()) {
  describe(`journeys on ${backend.name}`, () => {
    let app;
    let chrome;
    const pages = [];
    // What earlier steps made, for the later ones.
    const made = {};

    const shot = (page, name, opts) => screenshot(page, `${backend.name}-${name}`, opts);

    /** A fresh page logged in as `user`; closed after the suite. */
    async function as(user) {
      const page = await login(chrome.browser, app, user);
      pages.push(page);
      return page;
    }

    /** Fails on JavaScript errors or CSP violations seen on `page`. */
    function noProblems(page) {
      assert.deepEqual(page.problems, [], `problems in the browser at ${page.url()}`);
    }

    /** A test that, when it fails, also saves a screenshot of the last page it opened. */
    let failIndex = 0;
    function journey(name, fn) {
      test(name, async () => {
        const opened = pages.length;
        try {
          await fn();
        } catch (e) {
          const last = pages.length > opened ? pages[pages.length - 1] : null;
          if (last) {
            const file = await shot(last, `FAILED-${++failIndex}`).catch(() => null);
            if (file) e.message += `\n(screenshot of the last page: ${file}; server log: tests/browser/screenshots/${backend.name}-server.log)`;
          }
          throw e;
        }
      });
    }

    function needs(key, what) {
      assert.ok(made[key], `this step needs ${what} from an earlier step, which failed`);
      return made[key];
    }

    before(async () => {
      app = await startApp(backend);
      chrome = await launchBrowser();
    });

    after(async () => {
      for (const p of pages) await p.context().close().catch(() => {});
      if (chrome) await chrome.close().catch(() => {});
      if (app) await app.stop();
    });

    journey('login with a wrong password shows an error and stays on /login', async () => {
      const page = await newPage(chrome.browser, app);
      pages.push(page);
      await open(page, '/login');
      await page.fill('input[name="username"]', 'correspondent');
      await page.fill('input[name="password"]', `${PASSWORD}-wrong`);
      await clickAndWait(page, '#login', { allowError: true });
      assert.equal(pathOf(page), '/login');
      const alert = page.locator('main [role="alert"], main .flash.bad').first();
      await alert.waitFor();
      assert.ok((await alert.innerText()).trim().length > 0, 'the error message is empty');
      assert.equal(await page.locator('#logout').count(), 0, 'a logout button shows although login failed');
      assert.equal(await page.inputValue('input[name="username"]'), 'correspondent', 'the user name is kept');
      await shot(page, 'login-wrong-password');
      noProblems(page);
    });

    journey('a correspondent logs in, writes a draft and submits it', async () => {
      const page = await as('correspondent');
      assert.equal(await page.locator('#logout').count(), 1, 'no logout button after login');
      await open(page, '/manuscripts/new');
      const title = `浏览器测试稿件（${backend.name}）${Date.now()}`;
      const original = '本报讯 近日，湖北省知识产权局在武汉召开专利工作座谈会。会议总结了上半年专利申请情况，部署了下半年的重点工作。';
      const byline = await page.inputValue('input[name="byline"]');
      assert.ok(byline.trim().length > 0, 'the byline is not pre-filled with the author');
      await page.fill('input[name="title"]', title);
      await page.fill('textarea[name="body"]', original);
      await selectSome(page, 'genre', { label: '消息' });
      await clickAndWait(page, '#save-draft');
      const m = pathOf(page).match(/^\/manuscripts\/(\d+)$/);
      assert.ok(m, `saving the draft led to ${page.url()}, not /manuscripts/{id}`);
      made.manuscript = { id: m[1], title, original, byline };
      assert.ok((await mainText(page)).includes(title), 'the manuscript page does not show the title');

      await clickAndWait(page, '#submit-manuscript');
      assert.equal(pathOf(page), `/manuscripts/${m[1]}`);
      assert.equal(await page.locator('#submit-manuscript').count(), 0, 'the submit button is still there after submitting');
      assert.equal((await page.innerText('#status')).trim(), '待审', 'the status after submitting');
      await shot(page, 'correspondent-submitted');
      noProblems(page);
    });

    journey('the mentor revises the draft; the diff and the comment show on the manuscript page', async () => {
      const ms = needs('manuscript', 'the submitted draft');
      const page = await as('mentor');
      await open(page, `/manuscripts/${ms.id}`);
      await clickAndWait(page, '#revise-link');
      assert.equal(pathOf(page), `/manuscripts/${ms.id}/revise`);
      const revised = ms.original.replace('召开专利工作座谈会', '召开全省专利工作座谈会').replace('部署了下半年的重点工作', '明确了下半年专利执法的三项重点');
      const comment = '导语要突出“全省”，结尾写清楚具体措施。';
      assert.equal(await page.inputValue('textarea[name="body"], input[name="body"]'), ms.original, 'the revise form does not start from the current text');
      await page.fill('[name="body"]', revised);
      await page.fill('textarea[name="comment"]', comment);
      await clickAndWait(page, '#save-revision');
      assert.equal(pathOf(page), `/manuscripts/${ms.id}`, 'saving the revision did not lead back to the manuscript');
      const history = page.locator('#history');
      await history.waitFor();
      assert.ok((await history.locator('.round').count()) >= 2, 'the history does not list the submission and the revision');
      const ins = (await history.locator('ins').allInnerTexts()).join('|');
      const del = (await history.locator('del').allInnerTexts()).join('|');
      assert.ok(ins.includes('全省'), `the diff does not mark the inserted text: <ins> ${ins}`);
      assert.ok(ins.includes('执法'), `the diff does not mark the inserted text: <ins> ${ins}`);
      assert.ok(del.includes('部署'), `the diff does not mark the deleted text: <del> ${del}`);
      assert.ok((await history.innerText()).includes(comment), 'the comment does not show in the history');
      made.revision = { revised, comment };
      await shot(page, 'mentor-revised');
      noProblems(page);
    });

    journey('the editor accepts the manuscript and records two placements in two outlets', async () => {
      const ms = needs('manuscript', 'the submitted draft');
      needs('revision', 'the revision');
      const page = await as('editor');
      await open(page, `/manuscripts/${ms.id}`);
      await clickAndWait(page, '#accept');
      assert.equal(pathOf(page), `/manuscripts/${ms.id}`);
      assert.equal((await page.innerText('#status')).trim(), '已采用', 'the status after accepting');
      assert.equal(await page.locator('#accept').count(), 0, 'the accept button is still there');

      made.placements = [];
      const usedOutlets = [];
      for (const [i, column] of ['要闻', '专利园地'].entries()) {
        await open(page, `/manuscripts/${ms.id}`);
        await clickAndWait(page, '#record-placement');
        const url = new URL(page.url());
        assert.equal(url.pathname, '/placements/new');
        assert.equal(url.searchParams.get('manuscript'), ms.id);
        assert.equal(await page.inputValue('input[name="title"]'), ms.title, 'the title is not pre-filled from the manuscript');
        const author = ms.byline.split(/[、,，(（]/)[0].trim();
        const byline = await page.inputValue('input[name="byline"]');
        assert.ok(byline.includes(author), `the byline "${byline}" is not pre-filled from the manuscript's "${ms.byline}"`);
        const outlet = await selectSome(page, 'outlet_id', { not: usedOutlets });
        usedOutlets.push(outlet.value);
        outlet.name = outlet.text.split('（')[0].trim();
        await page.fill('input[name="column"]', column);
        await page.fill('input[name="published_on"]', today());
        await selectSome(page, 'position', { label: i === 0 ? '头版' : '一般' });
        await page.fill('input[name="length"]', String(800 + i * 200));
        await selectSome(page, 'genre', { label: '消息' });
        await page.selectOption('select[name="instruction"]', '');
        await selectSome(page, 'grade', { label: '良好' });
        await page.fill('input[name="evidence_url"]', `https://example.org/paper/${ms.id}/${i + 1}`);
        await page.fill('textarea[name="note"]', `浏览器测试第${i + 1}次刊发`);
        await clickAndWait(page, '#save-placement');
        const m = pathOf(page).match(/^\/placements\/(\d+)$/);
        assert.ok(m, `saving the placement led to ${page.url()}, not /placements/{id}`);
        const text = await mainText(page);
        assert.ok(text.includes(ms.title), 'the placement page does not show the title');
        assert.ok(text.includes(outlet.name), `the placement page does not show the outlet ${outlet.name}`);
        made.placements.push({ id: m[1], outlet: outlet.name });
      }
      assert.notEqual(made.placements[0].outlet, made.placements[1].outlet);
      await shot(page, 'editor-placement');
      noProblems(page);
    });

    journey('the correspondent sees both placements and the revision history', async () => {
      const ms = needs('manuscript', 'the submitted draft');
      const placements = needs('placements', 'the two placements');
      assert.equal(placements.length, 2, 'the two placements were not both recorded');
      const page = await as('correspondent');

      const mine = page.locator('#my-placements');
      await mine.waitFor();
      for (const p of placements) {
        assert.equal(await mine.locator(`a[href="/placements/${p.id}"]`).count(), 1, `placement ${p.id} is not on the home page`);
      }

      await open(page, '/placements');
      const rows = page.locator('#placements tbody tr').filter({ hasText: ms.title });
      assert.equal(await rows.count(), 2, 'the placements list does not show both placements of the manuscript');
      const rowText = (await rows.allInnerTexts()).join('\n');
      for (const p of placements) assert.ok(rowText.includes(p.outlet), `the placements list does not show the outlet ${p.outlet}`);

      await open(page, `/manuscripts/${ms.id}`);
      const history = page.locator('#history');
      assert.ok((await history.locator('.round').count()) >= 2, 'the correspondent does not see the revision rounds');
      assert.ok((await history.innerText()).includes(made.revision.comment), 'the correspondent does not see the mentor\'s comment');
      assert.ok((await history.locator('ins').count()) > 0, 'the correspondent does not see the diff');
      assert.equal(await page.locator('#revise-link, #accept, #return').count(), 0, 'the correspondent is offered editing actions');
      await shot(page, 'correspondent-history');
      noProblems(page);
    });

    journey("the correspondent cannot open someone else's draft", async () => {
      const other = await as('correspondent2');
      await open(other, '/manuscripts/new');
      const title = `别人的草稿（${backend.name}）${Date.now()}`;
      await other.fill('input[name="title"]', title);
      await other.fill('textarea[name="body"]', '这是通讯员二号的草稿，别人不能看。');
      await selectSome(other, 'genre', { label: '消息' });
      await clickAndWait(other, '#save-draft');
      const m = pathOf(other).match(/^\/manuscripts\/(\d+)$/);
      assert.ok(m, `saving the draft led to ${other.url()}`);

      const page = await as('correspondent');
      const resp = await open(page, `/manuscripts/${m[1]}`, { allowError: true });
      assert.equal(resp.status(), 404);
      const text = await mainText(page);
      assert.ok(text.includes('未找到'), `the 404 page does not say 未找到: ${text}`);
      assert.ok(!text.includes(title), 'the 404 page shows the other draft\'s title');
      await shot(page, 'correspondent-foreign-draft-404');
      await open(page, '/');
      assert.equal(await page.locator('#logout').count(), 1, 'the correspondent is no longer logged in after the 404');
      noProblems(page);
    });

    journey('logout works', async () => {
      const page = await as('liaison');
      await clickAndWait(page, '#logout');
      assert.equal(await page.locator('#logout').count(), 0, 'the logout button is still there');
      await open(page, '/placements');
      assert.equal(pathOf(page), '/login', 'after logout a private page does not lead to /login');
      await shot(page, 'logout');
      noProblems(page);
    });

    journey('the English locale switch changes the nav to English', async () => {
      const page = await as('leader');
      const nav = page.locator('header.top nav');
      assert.ok((await nav.innerText()).includes('首页'), 'the nav is not in Chinese by default');
      await clickAndWait(page, '#lang-en');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      const en = await nav.innerText();
      assert.ok(en.includes('Home'), `the nav is not in English: ${en}`);
      assert.ok(!/[\u4e00-\u9fff]/.test(en), `the English nav still has Chinese: ${en}`);
      await shot(page, 'locale-en');
      // Back to Chinese, so the account is as it was.
      await clickAndWait(page, '#lang-zh');
      assert.ok((await nav.innerText()).includes('首页'), 'switching back to Chinese failed');
      noProblems(page);
    });

    journey("the editor's home page (screenshot for the docs)", async () => {
      const page = await as('editor');
      // A month of the demo year, so the dashboard has figures to show.
      await open(page, '/?month=2007-11');
      assert.ok((await page.locator('#by-unit tbody tr').count()) > 0, 'the dashboard lists no units');
      await page.locator('header.top nav').waitFor();
      await page.evaluate(() => document.fonts.ready);
      await screenshot(page, backend.name === 'sqlite' ? 'home-editor' : `home-editor-${backend.name}`, { fullPage: false });
      noProblems(page);
    });
  });
}
