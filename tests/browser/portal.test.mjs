// The public portal (门户) at /site/hb/ in headless Chromium, against the real binary serving the
// demo data: on SQLite, and on PostgreSQL too when TONGLIAN_TEST_PG is set.
//
//   node --test portal.test.mjs        (scripts/test runs it after journeys.test.mjs)
//
// What a reader sees: the home page loads without an error (also on a phone, without sideways
// scrolling), screenshots of it and of an article. What an editor does: writes and publishes a
// post in the browser, which readers then see at once on the home page, in the feeds (checked by
// Python's feedparser through feed_check.py) and in the search, found by words in the middle of a
// Chinese sentence. A post made of XSS payloads runs nothing, in the normal CSP. axe-core finds
// no serious accessibility fault on the home page and an article.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  backends,
  startApp,
  launchBrowser,
  newPageWith,
  watchFailures,
  horizontalOverflow,
  checkFeed,
  axeViolations,
  login,
  open,
  clickAndWait,
  pathOf,
  mainText,
  selectSome,
  screenshot,
  SCREENSHOTS,
} from './lib.mjs';

const SITE = '/site/hb';

/** The demo station's columns, in the order of the portal's navigation. */
const COLUMNS = [
  { name: '要闻动态', href: `${SITE}/c/news` },
  { name: '工作报道', href: `${SITE}/c/work` },
  { name: '市州工作', href: `${SITE}/c/cities` },
  { name: '图片新闻', href: `${SITE}/c/photos` },
  { name: '通知公告', href: `${SITE}/c/notices` },
  { name: '统计专栏', href: `${SITE}/stats` },
];
/** The columns the home page shows as lists of posts (photos show as a strip, stats as the ranking). */
const LISTED = ['news', 'work', 'cities', 'notices'];

/** A phone (an iPhone's 375 CSS pixels), honouring the page's viewport meta like a real one. */
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Words that occur in the test post only in the middle of a sentence, to search for. */
const PHRASE = '宣传周活动取得';

// This file's screenshots and logs of an earlier run (journeys.test.mjs, run first, clears the
// folder itself; this file may also run alone).
fs.mkdirSync(SCREENSHOTS, { recursive: true });
for (const f of fs.readdirSync(SCREENSHOTS)) if (/^[a-z]+-portal-/.test(f)) fs.rmSync(path.join(SCREENSHOTS, f));

/**
 * What the tests of one backend share: a server on a fresh database and a browser, pages that
 * record every failure (see watchFailures in lib.mjs), and what earlier steps made.
 */
let failIndex = 0;
function harness(backend) {
  const h = { app: null, chrome: null, pages: [], made: {} };

  h.shot = (page, name, opts) => screenshot(page, `${backend.name}-portal-${name}`, opts);

  /** A screenshot after the fonts loaded, without the scrollbar (a desktop shot is then 1280 wide). */
  h.picture = async (page, name, opts) => {
    await page.evaluate(() => document.fonts.ready);
    await page.evaluate(() => {
      document.documentElement.style.overflow = 'hidden';
    });
    try {
      return await h.shot(page, name, opts);
    } finally {
      await page.evaluate(() => {
        document.documentElement.style.overflow = '';
      });
    }
  };

  /** A fresh page with no one logged in, watched for failures; `options` go to its context. */
  h.reader = async (options = {}) => {
    const page = await newPageWith(h.chrome.browser, h.app, options);
    watchFailures(page, h.app);
    h.pages.push(page);
    return page;
  };

  /** A fresh page logged in as `user`. */
  h.as = async (user) => {
    const page = await login(h.chrome.browser, h.app, user);
    h.pages.push(page);
    return page;
  };

  /** Fails on anything that went wrong on `page`: errors, CSP refusals, failed requests. */
  h.clean = (page) => {
    assert.deepEqual([...page.problems, ...(page.failures || [])], [], `failures in the browser, last at ${page.url()}`);
  };

  /** A test that, when it fails, also saves a screenshot of the last page it opened. */
  h.journey = (name, fn) => {
    test(name, async (t) => {
      const opened = h.pages.length;
      try {
        await fn(t);
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
    h.app = await startApp(backend, { label: 'portal' });
    h.chrome = await launchBrowser();
  });

  after(async () => {
    for (const p of h.pages) await p.context().close().catch(() => {});
    if (h.chrome) await h.chrome.close().catch(() => {});
    if (h.app) await h.app.stop();
  });

  return h;
}

/**
 * An editor publishes a post through the form at /portal/posts/new; returns its id and public
 * path. `column` is the column's name in the form's list.
 */
async function publishPost(editor, { column, title, subtitle = '', body, byline = '', authors = '' }) {
  await open(editor, '/portal/posts/new');
  const chosen = await selectSome(editor, 'column_id', { label: column });
  assert.equal(chosen.text, column, `the column ${column} is not offered`);
  await editor.fill('#title', title);
  await editor.fill('#subtitle', subtitle);
  // The rich-text editor hides the HTML behind its toolbar: switch to the source to paste it.
  await editor.click('#editor-toolbar button[data-cmd="source"]');
  await editor.fill('#body_html', body);
  await editor.fill('#byline', byline);
  await editor.fill('#authors', authors);
  await clickAndWait(editor, '#publish-post');
  const m = pathOf(editor).match(/^\/portal\/posts\/(\d+)$/);
  assert.ok(m, `publishing led to ${editor.url()}, not /portal/posts/{id}: ${await mainText(editor)}`);
  const url = `${SITE}/posts/${m[1]}`;
  assert.equal(await editor.locator('#preview').count(), 1, 'the post page has no preview link');
  assert.equal(await editor.locator(`main a[href="${url}"]`).count(), 1, 'the published post does not link to its public page');
  assert.equal(await editor.locator('#unpublish-post').count(), 1, 'a published post cannot be unpublished');
  return { id: m[1], url, title };
}

/** The <a> of the first post listed in the home page's block of column `slug`. */
function firstInBlock(page, slug) {
  return page.locator('section.block', { has: page.locator(`#col-${slug}`) }).locator('ul.list:not(.notices) li a').first();
}

// ---------------------------------------------------------------------------------------------
// XSS: each payload would count itself in window.__xss_fired and open an alert if it ran.

const JS = 'window.__xss_fired=(window.__xss_fired||0)+1;alert(1)';
const B64_SCRIPT = 'PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='; // <script>alert(1)</script>
/** The word the corpus post is found by in the search. */
const XSS_WORD = '防跨站脚本专项检查';
const XSS_PAYLOADS = [
  // Escaped markup is text: it must show as text, and stay text where the body is turned into
  // plain text and back (summaries, feeds, search snippets).
  `<p>${XSS_WORD}：&lt;script&gt;${JS}&lt;/script&gt; &lt;img src=x onerror=${JS}&gt;</p>`,
  `<script>${JS}</script><ScRiPt type="text/javascript">${JS}</sCrIpT>`,
  `<img src="x" onerror="${JS}"><img src=x onerror=&#119;indow.__xss_fired=1;alert(1)>`,
  `<svg onload="${JS}"><circle r="5"></circle></svg>`,
  `<svg><animate onbegin="${JS}" attributeName="x" dur="1s"></animate><set attributeName="href" to="javascript:${JS}"></set><a xlink:href="javascript:${JS}"><text x="10" y="20">SVG链接</text></a></svg>`,
  `<a href="javascript:${JS}">普通链接</a> <a href="JaVaScRiPt:${JS}">大小写链接</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${JS}">实体编码链接</a> <a href="java&#x09;script:${JS}">制表符链接</a> <a href=" &#14; javascript:${JS}">前导空白链接</a> <a href="javascript&#x3A;${JS}">冒号编码链接</a>`,
  `<a href="data:text/html;base64,${B64_SCRIPT}">data链接</a> <a href="vbscript:msgbox(1)">vbscript链接</a>`,
  `<iframe srcdoc="&lt;script&gt;parent.${JS}&lt;/script&gt;"></iframe><iframe src="javascript:${JS}"></iframe>`,
  `<div style="background:url(javascript:${JS});width:expression(${JS})">样式属性</div><style>body{background:url("javascript:${JS}")}</style>`,
  `<p onmouseover="${JS}" onclick="${JS}">悬停段落</p><b onmouseenter="${JS}">加粗</b><details open ontoggle="${JS}"><summary>展开</summary>内容</details>`,
  `<input autofocus onfocus="${JS}"><select autofocus onfocus="${JS}"><option>选项</option></select><textarea onfocus="${JS}">文本框</textarea><body onload="${JS}"><marquee onstart="${JS}">滚动</marquee>`,
  `<video src="x" onerror="${JS}"></video><audio src="x" onerror="${JS}"></audio><table background="javascript:${JS}"><tr><td onclick="${JS}">单元格</td></tr></table>`,
  `<object data="javascript:${JS}"></object><object data="data:text/html;base64,${B64_SCRIPT}"></object><embed src="javascript:${JS}">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${JS}"><base href="javascript:${JS}//"><link rel="stylesheet" href="javascript:${JS}">`,
  `<form action="javascript:${JS}"><button type="submit">提交表单</button></form><form><button formaction="javascript:${JS}">formaction按钮</button></form>`,
  `<img srcset="javascript:${JS} 1x" src="x"><template><img src=x onerror="${JS}"></template><a href="https://example.org/" onclick="${JS}">外部链接</a>`,
  // Mutation XSS (markup that parses differently the second time), last: some of it leaves the
  // parser inside an element that takes in everything after it.
  `<!--<img src="--><img src=x onerror=${JS}//"><xmp><p title="</xmp><img src=x onerror=${JS}>"></xmp>`,
  `<noscript><p title="</noscript><img src=x onerror=${JS}>"></noscript><svg></p><style><a id="</style><img src=1 onerror=${JS}>">`,
  `<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style><img onerror=${JS} src>">`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${JS}"></style></mglyph></table></mtext></math>`,
];
/** The text after payload i, to see which payloads took in what followed them. */
const marker = (i) => `〔语料${i + 1}〕`;
const XSS_CORPUS = XSS_PAYLOADS.map((p, i) => `${p}\n<p>${marker(i)}</p>`).join('\n');

/**
 * What in the DOM could run code: <script> elements, on* attributes, javascript:/vbscript:/data:
 * URLs (a data: image excepted), srcdoc, script in styles, a meta refresh. Under `strict`, also
 * the elements that have no place in an article body (frames, objects, forms, styles, base).
 * Runs in the page; returns descriptions of what it found.
 */
function unsafeMarkup({ selector, strict }) {
  const found = [];
  const forbidden = ['script', 'iframe', 'frame', 'object', 'embed', 'applet', 'base', 'meta', 'link', 'style', 'form', 'template'];
  const urlAttributes = ['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster', 'to', 'from', 'by', 'values', 'cite', 'codebase'];
  for (const root of document.querySelectorAll(selector)) {
    for (const e of [root, ...root.querySelectorAll('*')]) {
      const tag = e.tagName.toLowerCase();
      if (tag === 'script' || (strict && forbidden.includes(tag))) found.push(`<${tag}>`);
      if (tag === 'meta' && /refresh/i.test(e.getAttribute('http-equiv') || '')) found.push('<meta http-equiv=refresh>');
      // The protocol as the browser parsed it, whatever the encoding in the markup.
      if ((tag === 'a' || tag === 'area') && e.href && /^(javascript|vbscript|data):/i.test(e.protocol)) found.push(`<${tag} href> ${e.protocol}`);
      for (const a of e.attributes) {
        const name = a.name.toLowerCase();
        // What the URL parser ignores: whitespace and control characters anywhere.
        const value = a.value.replace(/[\s\u0000-\u001f]+/g, '').toLowerCase();
        if (name.startsWith('on')) found.push(`<${tag} ${name}>`);
        else if (name === 'srcdoc') found.push(`<${tag} srcdoc>`);
        else if (name === 'style' && /expression|javascript:|url\(/.test(value)) found.push(`<${tag} style="${a.value}">`);
        else if (urlAttributes.includes(name) && /(^|,)(javascript|vbscript|data):/.test(value) && !(tag === 'img' && name === 'src' && value.startsWith('data:image/'))) {
          found.push(`<${tag} ${name}="${a.value}">`);
        }
      }
    }
  }
  return found;
}

/**
 * Forgets the failures of the corpus's own broken images (src="x" and src=1, relative to the
 * article: 404 by design), keeping every other failure.
 */
function forgetCorpusImages(page) {
  const rest = page.failures.filter((f) => !/\/site\/hb\/posts\/(x|1)\b/.test(f));
  page.failures.splice(0, page.failures.length, ...rest);
}

/** Records every alert, confirm or prompt in any page of `page`'s context, popups included. */
function recordDialogs(page) {
  const dialogs = [];
  const listen = (p) =>
    p.on('dialog', (d) => {
      dialogs.push(`${d.type()} "${d.message()}" at ${p.url()}`);
      d.dismiss().catch(() => {});
    });
  listen(page);
  page.context().on('page', listen);
  return dialogs;
}

/**
 * Hovers, focuses and clicks what is inside `selector` as a reader would, and sends the events
 * an injected handler would listen to. Stays on the page: links are clicked one by one, each
 * from a fresh load of `url`, and requests outside the app are refused (the test is offline).
 */
async function poke(page, url, selector) {
  const origin = new URL(page.url()).origin;
  await page.context().route((u) => u.origin !== origin, (r) => r.abort());
  const all = page.locator(`${selector} *`);
  for (let i = 0, n = await all.count(); i < n; i++) {
    const el = all.nth(i);
    if (await el.isVisible()) await el.hover({ timeout: 1000 }).catch(() => {});
    await el.focus({ timeout: 1000 }).catch(() => {});
  }
  await page.locator(selector).evaluate((root) => {
    const events = ['mouseover', 'mouseenter', 'mousemove', 'pointerover', 'focus', 'focusin', 'toggle', 'animationstart', 'transitionend', 'load', 'error'];
    for (const e of root.querySelectorAll('*')) for (const type of events) e.dispatchEvent(new Event(type, { bubbles: true }));
  });
  const links = await page.locator(`${selector} a`).count();
  for (let i = 0; i < links; i++) {
    await open(page, url);
    await page.locator(`${selector} a`).nth(i).click({ timeout: 2000, noWaitAfter: true, force: true }).catch(() => {});
    await page.waitForTimeout(300);
  }
  await open(page, url);
  // Whatever a timer or an animation would start late.
  await page.waitForTimeout(1000);
  for (const p of page.context().pages()) if (p !== page) await p.close().catch(() => {});
}

/** Serious or critical axe findings as lines of a report; the others as information. */
function axeReport(violations) {
  const line = (v) => v.nodes.map((n) => `  [${v.impact}] ${v.id} at ${n.target}: ${v.help}\n    ${n.message.replace(/\n/g, '\n    ')}`).join('\n');
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = violations.filter((v) => !bad.includes(v));
  return { bad: bad.map(line), minor: minor.map(line) };
}

for (const backend of backends()) {
  describe(`portal on ${backend.name}`, () => {
    const h = harness(backend);
    const { made, reader, as, clean, journey, needs } = h;

    journey('the home page loads without errors, with the six columns and the ranking; every column opens; no sideways scroll on a phone', async () => {
      const page = await reader();
      await open(page, `${SITE}/`);
      assert.equal(await page.locator('#logout').count(), 0);
      const nav = await page.locator('nav.columns a').evaluateAll((as) => as.map((a) => ({ name: a.textContent.trim(), href: a.getAttribute('href') })));
      assert.deepEqual(nav[0], { name: '首页', href: `${SITE}/` }, 'the navigation does not start with the home page');
      // The columns in order; other links (a document library, say) may sit among them.
      const columns = nav.filter((a) => COLUMNS.some((c) => c.href === a.href));
      assert.deepEqual(columns, COLUMNS, `the navigation does not list the six columns in order: ${JSON.stringify(nav)}`);
      for (const slug of LISTED) {
        const block = page.locator('section.block', { has: page.locator(`#col-${slug}`) });
        assert.equal(await block.count(), 1, `no block for the column ${slug} on the home page`);
        assert.ok((await block.locator('li a').count()) > 0, `the block of ${slug} lists nothing`);
      }
      const widget = page.locator('#ranking-widget');
      await widget.waitFor({ state: 'visible' });
      const ranked = await widget.locator('ol.ranking li').evaluateAll((lis) => lis.map((li) => [li.querySelector('.name')?.textContent, li.querySelector('.num')?.textContent]));
      assert.ok(ranked.length > 0, 'the ranking widget ranks no unit');
      for (const [name, n] of ranked) assert.ok(name && /^\d+$/.test(n), `a ranking line without a unit or a count: ${name} ${n}`);
      assert.equal(await widget.locator(`a[href="${SITE}/stats"]`).count(), 1, 'the ranking widget does not link to the statistics column');

      for (const c of COLUMNS) {
        await open(page, c.href);
        assert.ok((await page.innerText('main h1')).includes(c.name), `${c.href} is not headed ${c.name}`);
        assert.equal(await page.locator(`nav.columns a[aria-current="page"]`).getAttribute('href'), c.href, `${c.href} is not marked current in the navigation`);
      }

      const phone = await reader(PHONE);
      for (const url of [`${SITE}/`, ...COLUMNS.map((c) => c.href), `${SITE}/gallery`]) {
        await open(phone, url);
        await phone.evaluate(() => document.fonts.ready);
        const o = await horizontalOverflow(phone);
        assert.ok(o.scrollWidth <= o.innerWidth, `${url} scrolls sideways on a phone: ${o.scrollWidth}px wide in a ${o.innerWidth}px window; sticking out: ${o.wide.join(', ')}`);
      }
      // Checked last, so that the rest runs when it fails.
      clean(page);
      clean(phone);
    });

    // Before any test post exists, so the home page looks as the demo ships it (for the README).
    journey('screenshots of the home page and an article, desktop (1280) and phone (375)', async () => {
      const desk = await reader();
      await open(desk, `${SITE}/`);
      await h.picture(desk, 'home-desktop', { fullPage: false });
      await h.picture(desk, 'home-desktop-full');
      const article = await desk.locator('article.headline h2 a').getAttribute('href');
      assert.match(article, /^\/site\/hb\/posts\/\d+$/, 'the home page has no headline article');
      await open(desk, article);
      await h.picture(desk, 'article-desktop');

      const phone = await reader(PHONE);
      for (const [url, name] of [[`${SITE}/`, 'home-phone'], [article, 'article-phone']]) {
        await open(phone, url);
        await h.picture(phone, name);
      }
      clean(desk);
      clean(phone);
    });

    journey('an editor publishes a post in the browser; readers see it at once on the home page and in the column feed', async () => {
      // A reader who had the home page and the column feed before: what they get next must
      // not be a stale copy (from the browser's cache or the server's page cache).
      const page = await reader();
      await open(page, `${SITE}/`);
      const feedUrl = `${SITE}/c/work/feed.xml`;
      const before = await page.request.get(feedUrl);
      assert.equal(before.status(), 200);
      const etag = before.headers().etag;

      const editor = await as('editor');
      const title = `门户浏览器测试：全省专利执法检查纪实（${backend.name}）${Date.now()}`;
      assert.ok(!title.includes(PHRASE));
      made.post = await publishPost(editor, {
        column: '工作报道',
        title,
        subtitle: '各市州集中开展执法检查',
        // As an editor writes: a link in a sentence, a correspondent as author (linked too).
        body: `<p>本报讯 全省各地认真开展知识产权${PHRASE}实效，群众满意度明显提升。</p>\n<p>下一步，各地将<strong>持续加大</strong>专利执法力度，详见<a href="https://www.cnipa.gov.cn/">国家知识产权局网站</a>的通知。</p>`,
        byline: '张明远',
        authors: '张明远',
      });
      const { url } = made.post;

      await open(page, `${SITE}/`);
      const first = firstInBlock(page, 'work');
      assert.equal(await first.getAttribute('href'), url, `the new post is not the first of 工作报道 on the home page (stale page?): ${await first.innerText()}`);
      assert.equal((await first.innerText()).trim(), title);
      await open(page, url);
      assert.equal((await page.innerText('.article h1')).trim(), title);
      assert.ok((await page.innerText('.article .body')).includes(`知识产权${PHRASE}实效`), 'the article does not show its body');
      assert.equal(await page.locator('.article .meta a[href^="/site/hb/people/"]', { hasText: '张明远' }).count(), 1, 'the article does not link its author');

      // The feed, asked with the ETag of before as a browser would: a new copy, not a 304.
      const after = await page.request.get(feedUrl, { headers: etag ? { 'If-None-Match': etag } : {} });
      assert.equal(after.status(), 200, `the column feed answered ${after.status()} after a post was published (stale?)`);
      const xml = await after.text();
      const items = [...xml.matchAll(/<item>\s*<title>([^<]*)<\/title>\s*<link>([^<]*)<\/link>/g)];
      assert.ok(items.length > 0, 'the column feed has no items');
      assert.deepEqual([items[0][1], new URL(items[0][2]).pathname], [title, url], 'the new post is not the first item of the column feed');
      clean(page);
    });

    journey('the feeds pass feedparser, with the new post first; the sitemap lists it', async () => {
      const post = needs('post', 'the published post');
      for (const feed of ['feed.xml', 'atom.xml', 'c/work/feed.xml', 'c/work/atom.xml']) {
        const titles = checkFeed(`${h.app.url}${SITE}/${feed}`);
        assert.ok(titles.length > 1, `${feed} has ${titles.length} entries`);
        assert.equal(titles[0], post.title, `the new post is not the first entry of ${feed}`);
      }
      const sitemap = await (await fetch(`${h.app.url}/sitemap.xml`)).text();
      assert.ok(sitemap.includes(`${SITE}/posts/${post.id}<`), 'the sitemap does not list the new post');
    });

    journey('the site search finds words in the middle of a Chinese sentence, marks them, and ranks the one exact match first', async (t) => {
      const post = needs('post', 'the published post');
      const page = await reader();
      await open(page, `${SITE}/`);
      await page.fill('#site-q', PHRASE);
      await clickAndWait(page, 'form.site-search button[type="submit"]');
      assert.equal(pathOf(page), `${SITE}/search`);
      assert.equal(new URL(page.url()).searchParams.get('q'), PHRASE);
      // Page by page, as a reader would, until the post shows.
      const results = page.locator('#search-results');
      let seen = 0;
      let rank = -1;
      for (let n = 1; ; n++) {
        const hrefs = await results.locator('li > a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
        rank = hrefs.indexOf(post.url);
        if (rank >= 0) {
          rank += seen;
          break;
        }
        seen += hrefs.length;
        const next = page.locator('nav.pager a[rel="next"]');
        assert.ok(n < 20 && (await next.count()) === 1, `searching ${PHRASE} does not find ${post.url} in ${seen} results (${await page.innerText('#search-total')})`);
        await clickAndWait(page, 'nav.pager a[rel="next"]');
      }
      const total = (await page.innerText('#search-total')).trim();
      t.diagnostic(`${PHRASE}: ${total}; the new post is #${rank + 1}`);
      const hit = results.locator('li', { has: page.locator(`a[href="${post.url}"]`) });
      const marks = await hit.locator('mark').allInnerTexts();
      assert.ok(marks.some((m) => PHRASE.includes(m) || m.includes(PHRASE)), `the hit does not mark the words searched: ${JSON.stringify(marks)} in ${await hit.innerHTML()}`);
      assert.ok((await hit.innerText()).includes(PHRASE), 'the snippet does not show the words searched');
      clean(page);
      // Checked last: the only post with the words exactly as typed comes first (the demo has
      // posts titled …宣传周活动 with 活动 and 取得 further on, which match every segment).
      assert.equal(rank, 0, `searching ${PHRASE} ranks the only post containing it #${rank + 1} (${total}), after posts that only contain its segments apart`);
    });

    journey('a post made of XSS payloads runs nothing: article, search, home page, feeds and the editor\'s page', async (t) => {
      const editor = await as('editor');
      const title = `跨站脚本语料<img src=x onerror="${JS}">（${backend.name}）${Date.now()}`;
      const post = await publishPost(editor, { column: '工作报道', title, body: XSS_CORPUS, byline: '<b onclick="alert(1)">测试</b>' });
      // The editor's own page shows the title and the saved revisions.
      const editorDialogs = recordDialogs(editor);
      await editor.locator('#revisions summary').first().click();
      await editor.waitForTimeout(500);
      assert.deepEqual(await editor.evaluate(unsafeMarkup, { selector: 'main', strict: false }), [], 'the editor\'s post page holds code');
      assert.equal(await editor.evaluate(() => window.__xss_fired), undefined);
      // Its preview renders the article as readers will see it.
      await open(editor, `/portal/posts/${post.id}/preview`);
      assert.deepEqual(await editor.evaluate(unsafeMarkup, { selector: '.article .body', strict: true }), [], 'the preview\'s body holds what could run');
      await editor.waitForTimeout(500);
      assert.equal(await editor.evaluate(() => window.__xss_fired), undefined);
      assert.deepEqual(editorDialogs, []);
      assert.deepEqual(editor.problems, [], 'the editor\'s pages tried to run something (CSP refused it)');

      // The public article, in the portal's normal CSP, with a reader hovering and clicking.
      const page = await reader();
      const dialogs = recordDialogs(page);
      await open(page, post.url);
      const found = await page.evaluate(unsafeMarkup, { selector: '.article .body', strict: true });
      assert.deepEqual(found, [], `the article's body holds what could run (body HTML: ${(await page.innerHTML('.article .body')).slice(0, 3000)})`);
      assert.deepEqual(await page.evaluate(unsafeMarkup, { selector: 'html', strict: false }), [], 'the article page holds code outside the body');
      const text = await page.innerText('.article .body');
      assert.ok(text.includes(XSS_WORD), 'the corpus post lost its text');
      const lost = XSS_PAYLOADS.map((_, i) => i).filter((i) => !text.includes(marker(i)));
      if (lost.length) t.diagnostic(`the text after payloads ${lost.map((i) => i + 1).join(', ')} (of ${XSS_PAYLOADS.length}) is not in the article: the sanitiser dropped it with the payload`);
      assert.equal((await page.innerText('.article h1')).trim(), title, 'the title is not shown as the text typed');
      await poke(page, post.url, '.article .body');
      assert.equal(await page.evaluate(() => window.__xss_fired), undefined, 'a payload ran');
      assert.deepEqual(dialogs, [], 'a payload opened a dialog');
      // A CSP refusal means markup that would run reached the page: a failure too.
      assert.deepEqual(page.problems, [], 'the page tried to run something (CSP refused it)');

      // Where the body comes back as plain text made into HTML again, and where the title is listed.
      for (const url of [`${SITE}/search?q=${encodeURIComponent(XSS_WORD)}`, `${SITE}/`, `${SITE}/c/work`]) {
        await open(page, url);
        if (url.includes('/search')) assert.ok((await page.locator(`#search-results a[href="${post.url}"]`).count()) === 1, `${url} does not find the corpus post`);
        else assert.ok((await page.locator(`main a[href="${post.url}"]`).count()) >= 1, `${url} does not list the corpus post`);
        assert.deepEqual(await page.evaluate(unsafeMarkup, { selector: 'html', strict: false }), [], `${url} holds code`);
        assert.equal(await page.locator('main img[src="x"]').count(), 0, `${url} shows the title's <img> as an element`);
        await page.waitForTimeout(300);
        assert.equal(await page.evaluate(() => window.__xss_fired), undefined, `a payload ran on ${url}`);
      }
      assert.deepEqual(dialogs, [], 'a payload opened a dialog');
      forgetCorpusImages(page);
      clean(page);
      // The feeds stay well formed with the title's markup in them, as text.
      assert.equal(checkFeed(`${h.app.url}${SITE}/feed.xml`)[0], title);
      assert.equal(checkFeed(`${h.app.url}${SITE}/c/work/atom.xml`)[0], title);

      // Unpublished, it is gone for readers at once.
      await open(editor, `/portal/posts/${post.id}`);
      await editor.fill('#reason', '测试完毕，撤下');
      await clickAndWait(editor, '#unpublish-post');
      assert.equal(await editor.locator('#unpublish-post').count(), 0, 'the post can still be unpublished after unpublishing');
      const gone = await open(page, post.url, { allowError: true });
      assert.equal(gone.status(), 410, `an unpublished article answers ${gone.status()}`);
      page.failures.length = 0; // the 410 just asked for
      await open(page, `${SITE}/`);
      assert.equal(await page.locator(`main a[href="${post.url}"]`).count(), 0, 'the home page still lists the unpublished post');
      clean(page);
    });

    journey('an XSS payload sent as a comment never runs, before or after an editor approves it', async () => {
      // A visitor comments on a document of the library through its form.
      const visitor = await reader();
      const dialogs = recordDialogs(visitor);
      await open(visitor, `${SITE}/docs`);
      const doc = await visitor.locator('#doc-list a').first().getAttribute('href');
      await open(visitor, doc);
      const payload = XSS_PAYLOADS.slice(0, 8).join(' ');
      await visitor.fill('#c-name', `读者<img src=x onerror="${JS}">`);
      await visitor.fill('#c-body', payload);
      await clickAndWait(visitor, '#send-comment');
      assert.ok((await visitor.innerText('main')).includes('评论已提交，编辑审核后显示'), 'the visitor is not told the comment waits for approval');
      assert.equal(await visitor.locator('#comment-list li').count(), 0, 'a comment shows before an editor approved it');

      // The editor sees it as text in the moderation list, and approves it.
      const editor = await as('editor');
      const editorDialogs = recordDialogs(editor);
      await open(editor, '/portal/comments');
      // The table holds the approve and reject forms; what the visitor typed holds nothing.
      assert.deepEqual(await editor.evaluate(unsafeMarkup, { selector: '#pending-comments', strict: false }), [], 'the moderation list holds code');
      assert.deepEqual(await editor.evaluate(unsafeMarkup, { selector: '#pending-comments td.comment-body', strict: true }), [], 'the comment became markup');
      await clickAndWait(editor, '#pending-comments button[value="approve"]');
      assert.equal(await editor.evaluate(() => window.__xss_fired), undefined, 'a payload ran on the editor\'s page');
      assert.deepEqual(editorDialogs, []);

      // Approved, it shows on the document's page as the text typed; nothing runs.
      await open(visitor, doc);
      const comment = visitor.locator('#comment-list li').first();
      assert.ok((await comment.innerText()).includes(XSS_PAYLOADS[0].slice(0, 20)), 'the approved comment is not shown as typed');
      assert.deepEqual(await visitor.evaluate(unsafeMarkup, { selector: '#comment-list', strict: true }), [], 'the comment became markup');
      await poke(visitor, doc, '#comment-list');
      assert.equal(await visitor.evaluate(() => window.__xss_fired), undefined, 'a payload ran');
      assert.deepEqual(dialogs, [], 'a payload opened a dialog');
      assert.deepEqual(visitor.problems, [], 'the page tried to run something (CSP refused it)');
      clean(visitor);
    });

    journey('the rich-text editor: typed text made bold and a heading is published as HTML', async () => {
      const editor = await as('editor');
      await open(editor, '/portal/posts/new');
      assert.ok(await editor.locator('#body_html').isHidden(), 'the HTML source shows instead of the editor');
      await selectSome(editor, 'column_id', { label: '工作报道' });
      const title = `富文本编辑器（${backend.name}）${Date.now()}`;
      await editor.fill('#title', title);
      await editor.click('#body_editor');
      await editor.keyboard.type('会议要点');
      await editor.click('#editor-toolbar button[data-value="h2"]');
      await editor.keyboard.press('End');
      await editor.keyboard.press('Enter');
      await editor.click('#editor-toolbar button[data-value="p"]');
      await editor.click('#editor-toolbar button[data-cmd="bold"]');
      await editor.keyboard.type('加粗的一句话');
      await clickAndWait(editor, '#publish-post');
      const m = pathOf(editor).match(/^\/portal\/posts\/(\d+)$/);
      assert.ok(m, `publishing led to ${editor.url()}`);
      const page = await reader();
      await open(page, `${SITE}/posts/${m[1]}`);
      assert.equal((await page.innerText('.article .body h2')).trim(), '会议要点', 'the heading was not kept');
      assert.equal((await page.innerText('.article .body b, .article .body strong')).trim(), '加粗的一句话', 'the bold text was not kept');
      clean(page);
      clean(editor);
    });

    journey('axe-core finds no serious or critical accessibility fault on the home page and an article', async (t) => {
      const post = needs('post', 'the published post');
      const page = await reader({ bypassCSP: true });
      const bad = [];
      for (const url of [`${SITE}/`, post.url]) {
        await open(page, url);
        const report = axeReport(await axeViolations(page));
        for (const m of report.minor) t.diagnostic(`axe (minor or moderate) on ${url}:\n${m}`);
        bad.push(...report.bad.map((b) => `${url}:\n${b}`));
      }
      if (bad.length) assert.fail(`axe-core finds ${bad.length} page(s) with serious or critical faults:\n${bad.join('\n')}`);
    });
  });
}
