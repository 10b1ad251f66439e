// Journeys through Tonglian in headless Chromium, against the real binary serving the demo
// data: on SQLite, and on PostgreSQL too when TONGLIAN_TEST_PG is set.
//
//   node --test journeys.test.mjs        (scripts/test runs it after the Rust tests)
//
// The steps of one backend run in order and build on each other: a correspondent's draft is
// revised by the mentor, accepted and placed twice by the editor, then seen by its author.
// The reward journeys run after them on a server of their own: the December statement with its
// trails, public notice and .docx; an objection, confirmation and payment; loading a policy and
// computing a draft; the public statistics column and the rankings.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
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
  ROOT,
  SCREENSHOTS,
} from './lib.mjs';

// Screenshots of this run only.
fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
fs.mkdirSync(SCREENSHOTS, { recursive: true });

/**
 * What each describe block of one backend shares: its own server on a fresh database and its
 * own browser (started before the block, stopped after it), and small helpers. Call it at the
 * top of a describe() callback; `h.app` and `h.chrome` are set once the block's before() ran.
 * `label` goes into the names of the block's screenshots and server log.
 */
let failIndex = 0;
function harness(backend, label = '') {
  const h = {
    app: null,
    chrome: null,
    pages: [],
    // What earlier steps made, for the later ones.
    made: {},
  };

  h.shot = (page, name, opts) => screenshot(page, `${backend.name}-${label ? `${label}-` : ''}${name}`, opts);

  /** A fresh page logged in as `user`; closed after the block. */
  h.as = async (user) => {
    const page = await login(h.chrome.browser, h.app, user);
    h.pages.push(page);
    return page;
  };

  /** A fresh page with no one logged in (its own cookies); closed after the block. */
  h.anonymous = async () => {
    const page = await newPage(h.chrome.browser, h.app);
    h.pages.push(page);
    return page;
  };

  /** Fails on JavaScript errors or CSP violations seen on `page`. */
  h.noProblems = (page) => {
    assert.deepEqual(page.problems, [], `problems in the browser at ${page.url()}`);
  };

  /** A test that, when it fails, also saves a screenshot of the last page it opened. */
  h.journey = (name, fn) => {
    test(name, async () => {
      const opened = h.pages.length;
      try {
        await fn();
      } catch (e) {
        const last = h.pages.length > opened ? h.pages[h.pages.length - 1] : null;
        if (last) {
          const file = await h.shot(last, `FAILED-${++failIndex}`).catch(() => null);
          if (file) e.message += `\n(screenshot of the last page: ${file}; server log: tests/browser/screenshots/${h.app.logName})`;
        }
        throw e;
      }
    });
  };

  h.needs = (key, what) => {
    assert.ok(h.made[key], `this step needs ${what} from an earlier step, which failed`);
    return h.made[key];
  };

  before(async () => {
    h.app = await startApp(backend, { label });
    h.chrome = await launchBrowser();
  });

  after(async () => {
    for (const p of h.pages) await p.context().close().catch(() => {});
    if (h.chrome) await h.chrome.close().catch(() => {});
    if (h.app) await h.app.stop();
  });

  return h;
}

for (const backend of backends()) {
  describe(`journeys on ${backend.name}`, () => {
    const h = harness(backend);
    const { made, shot, as, noProblems, journey, needs } = h;

    journey('login with a wrong password shows an error and stays on /login', async () => {
      const page = await h.anonymous();
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

// ---------------------------------------------------------------------------------------------
// Rewards: the demo's 2007 policy and its twelve monthly statements (January to November
// published, confirmed and paid; December published, its objection window still open).

/** The demo's reward policy, as loaded by `serve --demo`. */
const DEMO_POLICY = fs.readFileSync(path.join(ROOT, 'docs', 'policies', 'hubei-2007.toml'), 'utf8');
const NOTICE_TITLE = '湖北通联站2007年12月宣传报道奖励公示';

/** "87.60", "87.60元", "1,234.5 ✓" → an integer count of hundredths (fen for money). */
function hundredths(text) {
  const cleaned = String(text).replace(/[元✓,\s]/g, '');
  assert.match(cleaned, /^-?\d+(\.\d+)?$/, `not a figure: "${text}"`);
  return Math.round(Number(cleaned) * 100);
}

/** The index of the column of `table` whose header is `header` (exact text). */
async function columnIndex(table, header) {
  const headers = (await table.locator('thead th').allInnerTexts()).map((t) => t.trim());
  const i = headers.indexOf(header);
  assert.ok(i >= 0, `no column "${header}" in ${JSON.stringify(headers)}`);
  return i;
}

/** The cells of each row of `rows` (a locator of <tr>), as trimmed texts. */
async function cellsOf(rows) {
  return rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.innerText.trim())));
}

/** The names of the rules (base values, bonuses, caps…) in a policy's text. */
function ruleNames(policy) {
  const names = [];
  let top = true;
  for (const line of policy.split('\n')) {
    if (/^\s*\[/.test(line)) top = false;
    const m = line.match(/^\s*name\s*=\s*"([^"]+)"/);
    if (m && !top) names.push(m[1]);
  }
  return names;
}

/** Texts that would identify how to reach a person: e-mail addresses and phone numbers. */
const CONTACT_PATTERNS = [/[\w.+-]+@[\w-]+\.[\w.-]+/, /(?<![0-9a-f])1[3-9]\d{9}(?![0-9a-f])/i, /(?<!\d)0\d{2,3}-\d{7,8}(?!\d)/];

for (const backend of backends()) {
  describe(`rewards on ${backend.name}`, () => {
    const h = harness(backend, 'rewards');
    const { made, as, noProblems, journey, needs } = h;

    /** A full-page screenshot the width of the window (1280): the scrollbar is hidden for it. */
    async function shot(page, name) {
      await page.evaluate(() => document.fonts.ready);
      await page.evaluate(() => {
        document.documentElement.style.overflow = 'hidden';
      });
      try {
        return await h.shot(page, name);
      } finally {
        await page.evaluate(() => {
          document.documentElement.style.overflow = '';
        });
      }
    }

    journey('the editor opens the December statement: lines, totals, a trail; its public notice and .docx', async () => {
      const page = await as('editor');
      await clickAndWait(page, 'header.top nav a[href="/statements"]');
      assert.equal(pathOf(page), '/statements');
      assert.equal((await page.innerText('header.top nav a.active')).trim(), '奖励', 'the 奖励 nav link is not marked active');
      const list = page.locator('#statements tbody tr');
      assert.equal(await list.count(), 12, 'the demo should have twelve statements for 2007');
      const dec = list.filter({ has: page.locator('a', { hasText: /^2007-12$/ }) });
      assert.equal(await dec.count(), 1, 'no row for 2007-12');
      assert.equal((await dec.locator('.badge').innerText()).trim(), '公示中');
      const nov = list.filter({ has: page.locator('a', { hasText: /^2007-11$/ }) });
      assert.equal((await nov.locator('.badge').innerText()).trim(), '已兑现');

      await clickAndWait(page, '#statements a:text-is("2007-12")');
      const m = pathOf(page).match(/^\/statements\/(\d+)$/);
      assert.ok(m, `the 2007-12 link led to ${page.url()}`);
      made.december = { id: m[1] };
      const url = `/statements/${m[1]}`;
      assert.ok((await page.innerText('main h1')).includes('2007年12月'), 'the heading does not name the month');
      assert.equal((await page.innerText('#statement-status')).trim(), '公示中');
      const hash = (await page.innerText('#content-hash')).trim();
      assert.match(hash, /^[0-9a-f]{64}$/, 'the content hash is not a SHA-256 in hex');

      // The lines, and totals that are the sums of the lines.
      const table = page.locator('#lines');
      const lineRows = table.locator('tbody > tr.line');
      const lines = await cellsOf(lineRows);
      assert.ok(lines.length >= 10, `only ${lines.length} lines in December`);
      const names = lines.map((c) => c[0]);
      assert.ok(names.includes('张明远') && names.includes('李晓红'), `the demo correspondents are not both in December: ${names}`);
      const moneyCol = await columnIndex(table, '奖金（元）');
      const pointsCol = await columnIndex(table, '积分');
      const sum = (col) => lines.reduce((a, c) => a + hundredths(c[col]), 0);
      assert.equal(hundredths(await page.innerText('#total-money')), sum(moneyCol), 'the money total is not the sum of the lines');
      // Checked last, so that the rest of the journey runs when it fails.
      const pointsTotal = hundredths(await page.innerText('#total-points'));
      assert.ok(sum(moneyCol) > 0, 'December pays nothing');

      // The first person's trail: closed at first, then the rules that fired, in order.
      const firstTrail = table.locator('tbody > tr.trail').first().locator('details');
      const trailTable = firstTrail.locator('table.trail-table');
      assert.equal(await firstTrail.getAttribute('open'), null, 'the trail is open before it is asked for');
      assert.ok(!(await trailTable.isVisible()), 'the trail table shows before the trail is opened');
      await firstTrail.locator('summary').click();
      await trailTable.waitFor({ state: 'visible' });
      const steps = await cellsOf(trailTable.locator('tbody tr'));
      assert.ok(steps.length > 0, 'the trail is empty');
      const known = ruleNames(DEMO_POLICY);
      const named = steps.filter((s) => known.some((n) => s[3].startsWith(n)));
      assert.ok(named.length > 0, `no step of the trail names a rule of the policy: ${JSON.stringify(steps.slice(0, 5))}`);
      for (const s of steps) assert.match(s[2], /^[a-z_]+(\.[\w-]+)*$/, `a trail step without a rule id: ${JSON.stringify(s)}`);
      // The money steps (the 账目 column shows the ledger's label) end on the line's figure.
      const moneySteps = steps.filter((s) => s[1] === '奖金');
      assert.ok(moneySteps.length > 0, 'no money steps in the trail');
      assert.equal(hundredths(moneySteps[moneySteps.length - 1][5]), hundredths(lines[0][moneyCol]), `the trail of ${lines[0][0]} does not end on the line's money`);
      await shot(page, 'statement-2007-12');
      noProblems(page);

      // What contacts the network holds, none of which may appear on the public notice.
      await open(page, '/correspondents');
      const people = page.locator('#correspondents');
      const phoneCol = await columnIndex(people, '电话');
      const mailCol = await columnIndex(people, '邮箱');
      const contacts = (await cellsOf(people.locator('tbody tr')))
        .flatMap((c) => [c[phoneCol], c[mailCol]])
        .filter((t) => t && t.length >= 5);
      assert.ok(contacts.length > 0, 'the correspondents list shows no phone numbers or e-mails to look for');

      // The public notice, with nobody logged in.
      const pub = await h.anonymous();
      await open(pub, `/notices/${m[1]}`);
      assert.equal(await pub.title(), NOTICE_TITLE);
      assert.equal((await pub.innerText('h1.notice-title')).trim(), NOTICE_TITLE);
      assert.equal(await pub.locator('#logout').count(), 0);
      const notice = pub.locator('#notice-table');
      const noticeRows = await cellsOf(notice.locator('tbody tr'));
      assert.equal(noticeRows.length, lines.length, 'the notice does not list every line of the statement');
      const noticeNames = await columnIndex(notice, '姓名');
      assert.deepEqual(noticeRows.map((c) => c[noticeNames]).sort(), [...names].sort(), 'the notice lists other people than the statement');
      const noticeMoney = await columnIndex(notice, '奖金（元）');
      const noticePoints = await columnIndex(notice, '积分');
      const total = await cellsOf(notice.locator('tfoot tr'));
      assert.equal(total.length, 1, 'the notice has no total row');
      assert.equal(hundredths(total[0][noticeMoney]), sum(moneyCol), 'the notice\'s money total differs from the statement\'s');
      const footer = (await pub.locator('.notice-footer').allInnerTexts()).join('\n');
      assert.ok(footer.includes(`SHA-256）：${hash}`), `the notice does not show the SHA-256 ${hash}: ${footer}`);
      const html = await pub.content();
      const text = await pub.innerText('body');
      for (const c of contacts) assert.ok(!html.includes(c), `the public notice shows the contact ${c}`);
      for (const re of CONTACT_PATTERNS) assert.doesNotMatch(text, re, 'the public notice shows something like a phone number or e-mail');
      await shot(pub, 'notice-2007-12');

      // The Word version.
      const [download] = await Promise.all([pub.waitForEvent('download'), pub.click(`a[href="/notices/${m[1]}/notice.docx"]`)]);
      assert.match(download.suggestedFilename(), /\.docx$/);
      const file = await download.path();
      const head = fs.readFileSync(file).subarray(0, 2).toString('latin1');
      assert.equal(head, 'PK', 'the .docx is not a ZIP file');
      noProblems(pub);

      // 合计 under the people's lines is the sum of those lines, on the page and on the notice
      // (the units' quota penalties belong to no one's line).
      const noticePointsSum = noticeRows.reduce((a, c) => a + hundredths(c[noticePoints]), 0);
      assert.deepEqual(
        { statement: pointsTotal / 100, notice: hundredths(total[0][noticePoints]) / 100 },
        { statement: sum(pointsCol) / 100, notice: noticePointsSum / 100 },
        `the points 合计 under the people's lines (on ${url} and on the public notice) is not the sum of those lines`,
      );
    });

    journey('the correspondent objects; the editor answers, confirms and pays, never more than owed', async () => {
      const dec = needs('december', 'the December statement');
      const url = `/statements/${dec.id}`;
      const text = `浏览器测试异议（${backend.name}）：12月有一篇稿件被《中国知识产权报》采用，未计入。`;

      // The correspondent sees only their own line, and objects to it.
      const me = await as('correspondent');
      await open(me, '/statements');
      await clickAndWait(me, '#statements a:text-is("2007-12")');
      assert.equal(pathOf(me), url);
      const mine = await cellsOf(me.locator('#lines tbody > tr.line'));
      assert.deepEqual(mine.map((c) => c[0]), ['张明远'], 'the correspondent sees other lines than their own');
      assert.equal(await me.locator('#unit-lines, #lines tfoot, #confirm').count(), 0, 'the correspondent sees totals, units or the confirm button');
      assert.ok(!(await mainText(me)).includes('李晓红'), 'the correspondent sees another correspondent');
      await me.fill('#objection-text', text);
      await clickAndWait(me, '#raise-objection');
      assert.equal(pathOf(me), url);
      const raised = me.locator('#objections li.objection').filter({ hasText: text });
      assert.equal(await raised.count(), 1, 'the objection does not show after it was raised');
      assert.equal((await raised.locator('.badge').innerText()).trim(), '待答复');

      // The editor sees it and upholds it.
      const ed = await as('editor');
      await open(ed, url);
      const seen = ed.locator('#objections li.objection').filter({ hasText: text });
      assert.equal(await seen.count(), 1, 'the editor does not see the objection');
      assert.ok((await seen.innerText()).includes('张明远'), 'the objection does not name who raised it');
      // Not confirmable while an objection is open.
      await clickAndWait(ed, '#confirm', { allowError: true });
      assert.ok((await mainText(ed)).includes('异议未答复'), `confirming with an open objection did not say so: ${await mainText(ed)}`);
      await open(ed, url);
      assert.equal((await ed.innerText('#statement-status')).trim(), '公示中');
      const answer = '经核实，该稿件刊发于2008年1月，计入下期核算。';
      const form = seen.locator('form');
      await form.locator('textarea[name="answer"]').fill(answer);
      await form.locator('input[name="upheld"]').check();
      const [resp] = await Promise.all([ed.waitForNavigation({ waitUntil: 'load' }), form.locator('button[type="submit"]').click()]);
      assert.ok(resp.status() < 400, `answering the objection answered ${resp.status()}: ${await mainText(ed)}`);
      const answered = ed.locator('#objections li.objection').filter({ hasText: text });
      assert.equal((await answered.locator('.badge').innerText()).trim(), '已采纳');
      assert.ok((await answered.innerText()).includes(answer), 'the answer does not show');
      assert.equal(await answered.locator('form').count(), 0, 'the answer form is still there');

      // Confirm (the window is still open, so with a reason), then pay 张明远 what the statement
      // says, and not a fen more.
      await clickAndWait(ed, '#confirm', { allowError: true });
      assert.ok((await mainText(ed)).includes('提前确认须写明理由'), `confirming early without a reason did not ask for one: ${await mainText(ed)}`);
      await ed.fill('#confirm-reason', '年底前发放');
      await clickAndWait(ed, '#confirm');
      assert.equal((await ed.innerText('#statement-status')).trim(), '已确认');
      assert.equal(await ed.locator('#confirm').count(), 0, 'the confirm button is still there');
      const table = ed.locator('#lines');
      const moneyCol = await columnIndex(table, '奖金（元）');
      const paidCol = await columnIndex(table, '已兑现（元）');
      const row = table.locator('tbody > tr.line').filter({ has: ed.locator('td:first-child', { hasText: /^张明远$/ }) });
      assert.equal(await row.count(), 1);
      const owedText = (await cellsOf(row))[0][moneyCol];
      const owed = hundredths(owedText);
      assert.ok(owed > 0, `张明远 is owed nothing in December (${owedText})`);
      const option = ed.locator('#pay-who option', { hasText: '张明远' });
      assert.equal(await option.count(), 1, '张明远 is not offered for payment');
      const optionText = await option.innerText();
      const unpaid = optionText.match(/未发\s*([\d.,]+)/);
      assert.ok(unpaid, `the payment choice does not say what is unpaid: ${optionText}`);
      assert.equal(hundredths(unpaid[1]), owed, `the unpaid amount offered (${optionText}) differs from the line (${owedText})`);
      const yuan = (f) => `${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`;

      await ed.selectOption('#pay-who', await option.getAttribute('value'));
      await ed.fill('#pay-amount', yuan(owed + 1));
      await clickAndWait(ed, '#record-payment', { allowError: true });
      const refused = ed.locator('main [role="alert"]');
      assert.ok((await refused.allInnerTexts()).join(' ').includes('超过应发'), `paying a fen more than owed did not say 超过应发: ${await mainText(ed)}`);
      await open(ed, url);
      assert.equal(await ed.locator('#payments tbody tr', { hasText: '张明远' }).count(), 0, 'the refused payment was recorded');

      await ed.selectOption('#pay-who', await ed.locator('#pay-who option', { hasText: '张明远' }).getAttribute('value'));
      await ed.fill('#pay-amount', yuan(owed));
      await clickAndWait(ed, '#record-payment');
      assert.equal(pathOf(ed), url);
      const paid = await cellsOf(ed.locator('#payments tbody tr', { hasText: '张明远' }));
      assert.equal(paid.length, 1, 'the payment is not listed');
      assert.equal(hundredths(paid[0][1]), owed, 'the payment listed is not the amount paid');
      const paidCell = (await cellsOf(table.locator('tbody > tr.line').filter({ has: ed.locator('td:first-child', { hasText: /^张明远$/ }) })))[0][paidCol];
      assert.ok(paidCell.includes('✓'), `the editor does not see 张明远 as paid: "${paidCell}"`);
      assert.equal(hundredths(paidCell), owed);
      assert.equal(await ed.locator('#pay-who option', { hasText: '张明远' }).count(), 0, '张明远 is still offered for payment');
      noProblems(ed);

      // The correspondent sees the payment and the answer.
      await open(me, url);
      const line = await cellsOf(me.locator('#lines tbody > tr.line'));
      assert.equal(line.length, 1);
      assert.ok(line[0][paidCol].includes('✓'), `the correspondent does not see the ✓ paid mark: "${line[0][paidCol]}"`);
      assert.ok((await me.locator('#objections').innerText()).includes(answer), 'the correspondent does not see the answer');
      const myPayments = await cellsOf(me.locator('#payments tbody tr'));
      assert.deepEqual(myPayments.map((c) => c[0]), ['张明远'], 'the correspondent sees other people\'s payments');
      assert.equal(await me.locator('#objection-text, #record-payment').count(), 0, 'the correspondent is offered to object or pay after confirmation');
      await shot(me, 'correspondent-paid');
      noProblems(me);
    });

    journey('the editor checks a broken policy, loads a 2008 one and computes January 2008 as a draft', async () => {
      const page = await as('editor');
      await open(page, '/policies');
      assert.ok((await page.locator('#policies tbody tr').count()) >= 1, 'no policy listed');

      // Without a policy for 2008, January 2008 cannot be computed.
      await open(page, '/statements');
      await page.fill('#period', '2008-01');
      await clickAndWait(page, '#compute', { allowError: true });
      assert.equal(pathOf(page), '/statements', 'computing a month without a policy did not stay on /statements');
      const none = await mainText(page);
      assert.ok(none.includes('没有生效的奖励办法'), `computing a month without a policy did not say there is none: ${none}`);

      // A broken policy: a value that is not a number, on a line we know.
      const lines = DEMO_POLICY.split('\n');
      const at = lines.findIndex((l) => /^value = \d+$/.test(l.trim()));
      assert.ok(at >= 0, 'no "value = N" line in the demo policy');
      const broken = [...lines.slice(0, at), 'value = "十元"', ...lines.slice(at + 1)].join('\n');
      await open(page, '/policies');
      await page.fill('#source', broken);
      await clickAndWait(page, '#check-policy', { allowError: true });
      const errors = page.locator('#policy-errors');
      await errors.waitFor();
      const said = await errors.innerText();
      assert.ok(said.includes(`第${at + 1}行`), `the error does not name line ${at + 1}: ${said}`);
      assert.equal(await page.inputValue('#source'), broken, 'the text is not kept after the check');
      assert.equal(await page.locator('#policy-ok').count(), 0);

      // The 2007 policy made into 2008's.
      const name2008 = DEMO_POLICY.match(/^name = "([^"]+)"/m)[1].replace('2007', '2008');
      const policy2008 = DEMO_POLICY.replace(/^valid_from = 2007-01-01$/m, 'valid_from = 2008-01-01')
        .replace(/^valid_to = 2007-12-31$/m, 'valid_to = 2008-12-31')
        .replace(/^name = "([^"]+)"/m, `name = "${name2008}"`);
      assert.notEqual(policy2008, DEMO_POLICY);
      assert.ok(policy2008.includes('valid_from = 2008-01-01') && policy2008.includes('valid_to = 2008-12-31'));
      await page.fill('#source', policy2008);
      await clickAndWait(page, '#check-policy');
      assert.ok((await page.innerText('#policy-ok')).includes('格式正确'), 'the 2008 policy does not check');
      await clickAndWait(page, '#save-policy');
      assert.equal(pathOf(page), '/policies');
      const row = page.locator('#policies tbody tr', { hasText: name2008 });
      assert.equal(await row.count(), 1, `the policy ${name2008} is not listed`);
      const cells = (await cellsOf(row))[0];
      assert.deepEqual(cells.slice(1), ['2008-01-01', '2008-12-31']);

      await open(page, '/statements');
      await page.fill('#period', '2008-01');
      await clickAndWait(page, '#compute');
      assert.match(pathOf(page), /^\/statements\/\d+$/, `computing 2008-01 led to ${page.url()}`);
      assert.equal((await page.innerText('#statement-status')).trim(), '草稿');
      assert.ok((await page.innerText('main h1')).includes('2008年1月'));
      assert.ok((await mainText(page)).includes(name2008), 'the draft does not name the 2008 policy');
      assert.equal(await page.locator('#publish').count(), 1, 'the draft cannot be published');
      assert.equal(await page.locator('#notice-link').count(), 0, 'a draft links to a public notice');
      noProblems(page);
    });

    journey('the public statistics column shows the ranking and two charts; the leader ranks correspondents', async () => {
      const page = await h.anonymous();
      await open(page, '/stats?period=2007-06');
      assert.equal(await page.locator('#logout').count(), 0);
      assert.ok((await page.innerText('main h1')).includes('2007年6月'), 'the heading does not name the month');
      const ranking = page.locator('#stats-ranking');
      const rows = await cellsOf(ranking.locator('tbody tr'));
      assert.ok(rows.length >= 10, `only ${rows.length} units ranked`);
      const unitCol = await columnIndex(ranking, '单位');
      const figureCol = await columnIndex(ranking, '积分');
      const units = rows.map((c) => c[unitCol]);
      assert.equal(rows[0][0], '1', 'the ranking does not start at 1');

      for (const id of ['bar-chart', 'line-chart']) {
        const svg = page.locator(`#${id} svg`);
        assert.equal(await svg.count(), 1, `no inline SVG in #${id}`);
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 200 && box.height > 200, `#${id} is too small: ${JSON.stringify(box)}`);
        const words = (await svg.locator('text').allTextContents()).join('|');
        assert.match(words, /[\u4e00-\u9fff]/, `#${id} has no Chinese text`);
        const shown = units.filter((u) => words.includes(u));
        assert.ok(shown.length > 0, `#${id} names none of the units: ${words.slice(0, 300)}`);
        if (id === 'bar-chart') assert.deepEqual(shown, units, 'the bar chart does not name every ranked unit');
      }
      await shot(page, 'stats-2007-06');
      noProblems(page);

      // The leader's ranking by correspondent.
      const leader = await as('leader');
      await open(leader, '/rankings');
      await leader.fill('form.filters input[name="period"]', '2007-06');
      await leader.selectOption('form.filters select[name="by"]', 'correspondent');
      await clickAndWait(leader, 'form.filters button[type="submit"]');
      const u = new URL(leader.url());
      assert.equal(u.searchParams.get('by'), 'correspondent');
      const people = await cellsOf(leader.locator('#ranking tbody tr'));
      assert.ok(people.length > 0, 'the ranking by correspondent is empty');
      const nameCol = await columnIndex(leader.locator('#ranking'), '名称');
      const names = people.map((c) => c[nameCol]);
      for (const n of names) assert.ok(!units.includes(n), `the ranking by correspondent lists the unit ${n}`);
      // The same people as June's statement.
      await open(leader, '/statements');
      await clickAndWait(leader, '#statements a:text-is("2007-06")');
      const june = (await cellsOf(leader.locator('#lines tbody > tr.line'))).map((c) => c[0]);
      for (const n of names) assert.ok(june.includes(n), `${n} is ranked for 2007-06 but not in its statement`);
      noProblems(leader);

      // Checked last, so that the rest of the journey runs when it fails: each bar is labelled
      // (and titled) with its unit's figure in the table, negative ones (quota penalties) too.
      const titles = await page.locator('#bar-chart svg g > title').allTextContents();
      const charted = Object.fromEntries(titles.map((t) => t.match(/^(.+?)，.+?：(.+)$/)).filter(Boolean).map((m) => [m[1], Number(m[2])]));
      const tabled = Object.fromEntries(rows.map((c) => [c[unitCol], Number(c[figureCol])]));
      const differ = Object.keys(tabled).filter((u) => charted[u] !== tabled[u]).map((u) => `${u}: table ${tabled[u]}, chart ${charted[u]}`);
      assert.deepEqual(differ, [], 'the bar chart labels figures other than the ranking table\'s');
    });
  });
}
