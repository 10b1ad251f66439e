// What the browser journeys share: starting the real `tonglian` binary on a fresh database,
// launching headless Chromium, logging in, and small page helpers.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const SCREENSHOTS = path.join(here, 'screenshots');
export const PASSWORD = 'demo2007';
export const CHROMIUM = process.env.TONGLIAN_CHROMIUM || '/usr/bin/chromium';
export const BIN = process.env.TONGLIAN_BIN || path.join(ROOT, 'target', 'debug', 'tonglian');

/** How long the server may take to answer /healthz (it loads the demo data first). */
const START_TIMEOUT_MS = 180_000;

// ---------------------------------------------------------------------------------------------
// Cleanup of what we start, also when the runner is interrupted.

const cleanups = new Set();
function runCleanupsNow() {
  for (const f of cleanups) {
    try {
      f();
    } catch {
      // best effort at exit
    }
  }
  cleanups.clear();
}
process.on('exit', runCleanupsNow);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    runCleanupsNow();
    process.exit(128 + (os.constants.signals[sig] || 0));
  });
}

// ---------------------------------------------------------------------------------------------
// Databases

/** The backends to run the journeys on: SQLite always, PostgreSQL when TONGLIAN_TEST_PG is set. */
export function backends() {
  const list = [{ name: 'sqlite' }];
  if (process.env.TONGLIAN_TEST_PG) list.push({ name: 'postgres', server: process.env.TONGLIAN_TEST_PG });
  return list;
}

function psql(serverUrl, sql) {
  execFileSync('psql', [serverUrl, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Makes a fresh database for one run; returns its URL and a function that removes it. */
function freshDatabase(backend, tmp, label) {
  if (backend.name === 'sqlite') {
    return { url: `sqlite://${path.join(tmp, 'browser.db')}`, drop: () => {} };
  }
  const name = `tonglian_browser_${process.pid}${label ? `_${label.replace(/\W/g, '_')}` : ''}`;
  const server = backend.server;
  psql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(server, `CREATE DATABASE ${name}`);
  const u = new URL(server);
  u.pathname = `/${name}`;
  let dropped = false;
  const drop = () => {
    if (dropped) return;
    dropped = true;
    psql(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  return { url: u.toString(), drop };
}

// ---------------------------------------------------------------------------------------------
// The server

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `tonglian --db URL serve --demo --listen 127.0.0.1:PORT` on a fresh database of
 * `backend` and waits until GET /healthz answers 200. `label` names the copy of the server's
 * log kept in screenshots/ when several servers run on one backend.
 */
export async function startApp(backend, { label = '' } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build it with \`cargo test --workspace --no-run\` (scripts/test does)`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `tonglian-browser-${backend.name}-`));
  const logName = `${backend.name}${label ? `-${label}` : ''}-server.log`;
  const db = freshDatabase(backend, tmp, label);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logPath = path.join(tmp, 'server.log');
  const logFd = fs.openSync(logPath, 'a');
  const args = ['--db', db.url, 'serve', '--demo', '--listen', `127.0.0.1:${port}`];
  const child = spawn(BIN, args, { cwd: tmp, stdio: ['ignore', logFd, logFd], env: { ...process.env } });
  fs.closeSync(logFd);
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    }),
  );
  const killNow = () => {
    if (!exited) child.kill('SIGKILL');
  };
  const cleanupAtExit = () => {
    killNow();
    db.drop();
  };
  cleanups.add(cleanupAtExit);

  const logTail = () => {
    try {
      const text = fs.readFileSync(logPath, 'utf8');
      return text.split('\n').slice(-40).join('\n');
    } catch {
      return '(no log)';
    }
  };

  const app = {
    backend: backend.name,
    url,
    tmp,
    logName,
    logTail,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => killNow(), 10_000);
        await exitPromise;
        clearTimeout(t);
      }
      cleanups.delete(cleanupAtExit);
      db.drop();
      // Keep the server's log beside the screenshots, for when a journey failed.
      try {
        fs.mkdirSync(SCREENSHOTS, { recursive: true });
        fs.copyFileSync(logPath, path.join(SCREENSHOTS, logName));
      } catch {
        // no log to keep
      }
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await app.stop().catch(() => {});
      throw new Error(`tonglian exited early (${JSON.stringify(exited)}): ${BIN} ${args.join(' ')}\n${logTail()}`);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await app.stop().catch(() => {});
      throw new Error(`tonglian did not answer GET /healthz with 200 within ${START_TIMEOUT_MS / 1000}s\n${tail}`);
    }
    await sleep(250);
  }
  return app;
}

// ---------------------------------------------------------------------------------------------
// The browser

/** The flags Chromium runs with: nothing more (Playwright's own defaults are turned off). */
export function chromiumArgs(userDataDir) {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--no-first-run',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    `--user-data-dir=${userDataDir}`,
    // How Playwright talks to the browser.
    '--remote-debugging-pipe',
  ];
}

export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: scripts/test installs Debian's chromium`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tonglian-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    ignoreDefaultArgs: true,
    args: chromiumArgs(profile),
    // Chinese for the browser's own widgets (date inputs) as for a user in China.
    env: { ...process.env, LANGUAGE: 'zh_CN', LANG: 'zh_CN.UTF-8' },
    timeout: 60_000,
  });
  const cleanup = () => fs.rmSync(profile, { recursive: true, force: true });
  cleanups.add(cleanup);
  return {
    browser,
    async close() {
      await browser.close();
      cleanups.delete(cleanup);
      cleanup();
    },
  };
}

/**
 * A fresh browser context (its own cookies) with one page, for one person.
 * Records uncaught page errors and Content-Security-Policy violations in `page.problems`.
 */
export async function newPage(browser, app) {
  const context = await browser.newContext({
    baseURL: app.url,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

/** The path of the page's URL (without query). */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/**
 * Clicks `selector` (a submit button or a link) and waits for the page it leads to.
 * Returns the final response; fails when that is an error page, unless `allowError`.
 */
export async function clickAndWait(page, selector, { allowError = false } = {}) {
  const loc = page.locator(selector);
  await loc.waitFor({ state: 'visible' });
  const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), loc.click()]);
  if (!allowError && resp && resp.status() >= 400) {
    throw new Error(`${selector} led to ${resp.status()} at ${page.url()}: ${await mainText(page)}`);
  }
  return resp;
}

/** Opens `url` and fails on an error status, unless `allowError`. */
export async function open(page, url, { allowError = false } = {}) {
  const resp = await page.goto(url);
  if (!allowError && resp && resp.status() >= 400) {
    throw new Error(`GET ${url} answered ${resp.status()}: ${await mainText(page)}`);
  }
  return resp;
}

/** The text of the page's <main>, shortened, for error messages. */
export async function mainText(page) {
  try {
    const t = await page.locator('main').innerText({ timeout: 2000 });
    return t.replace(/\s+/g, ' ').slice(0, 600);
  } catch {
    try {
      return (await page.locator('body').innerText({ timeout: 1000 })).replace(/\s+/g, ' ').slice(0, 600);
    } catch {
      return '(no page text)';
    }
  }
}

/** Logs `username` in with the demo password on a fresh page; ends on the home page. */
export async function login(browser, app, username) {
  const page = await newPage(browser, app);
  await open(page, '/login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await clickAndWait(page, '#login');
  if (pathOf(page) !== '/') {
    throw new Error(`logging in as ${username} ended on ${page.url()}, not /: ${await mainText(page)}`);
  }
  return page;
}

/** Picks the first option of a <select> whose value is not empty (or the one labelled `label`). */
export async function selectSome(page, name, { label, not } = {}) {
  const sel = page.locator(`select[name="${name}"]`);
  const options = await sel.locator('option').evaluateAll((os) => os.map((o) => ({ value: o.value, text: o.textContent.trim() })));
  let chosen;
  if (label) chosen = options.find((o) => o.text === label);
  if (!chosen) chosen = options.find((o) => o.value !== '' && !(not || []).includes(o.value));
  if (!chosen) throw new Error(`select ${name} has no usable option: ${JSON.stringify(options)}`);
  await sel.selectOption(chosen.value);
  return chosen;
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

/** Today's date in China, as YYYY-MM-DD. */
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// ---------------------------------------------------------------------------------------------
// The public portal: other contexts, stricter watching, layout, feeds and axe-core.

/**
 * Like newPage, with `options` added to the context's: a phone's viewport, or bypassCSP for
 * axe-core (injected as an inline script, which the portal's CSP rightly refuses).
 */
export async function newPageWith(browser, app, options = {}) {
  const context = await browser.newContext({
    baseURL: app.url,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  return page;
}

/**
 * Records in `page.failures` more than `page.problems` does, for public pages that must load
 * cleanly: every console error (a missing image or stylesheet shows there too), uncaught
 * errors, and requests to the app that failed or answered 400 or more.
 */
export function watchFailures(page, app) {
  const origin = new URL(app.url).origin;
  const ours = (url) => url.startsWith(`${origin}/`);
  page.failures = [];
  page.on('console', (m) => {
    // For a resource that failed to load, the location is the resource (/favicon.ico, say).
    const where = m.location()?.url;
    if (m.type() === 'error') page.failures.push(`console error at ${page.url()}: ${m.text()}${where && where !== page.url() ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (e) => page.failures.push(`page error at ${page.url()}: ${e.message}`));
  page.on('requestfailed', (r) => {
    // ERR_ABORTED is the browser cancelling a request because the page moved on (the next
    // navigation started before the icon arrived, say): not a fault of the page.
    const error = r.failure()?.errorText;
    if (ours(r.url()) && error !== 'net::ERR_ABORTED') page.failures.push(`request failed: ${r.method()} ${r.url()}: ${error}`);
  });
  page.on('response', (r) => {
    if (ours(r.url()) && r.status() >= 400) page.failures.push(`${r.status()} for ${r.request().method()} ${r.url()}`);
  });
  return page.failures;
}

/**
 * Whether the page scrolls sideways (what a phone user notices first), with the elements that
 * stick out past the window's right edge, to say what to fix.
 */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const scrollWidth = document.scrollingElement.scrollWidth;
    const innerWidth = window.innerWidth;
    const name = (e) => e.tagName.toLowerCase() + (e.id ? `#${e.id}` : '') + [...e.classList].map((c) => `.${c}`).join('');
    const wide = [...document.body.querySelectorAll('*')]
      .filter((e) => e.getBoundingClientRect().right > innerWidth + 0.5)
      .slice(0, 10)
      .map((e) => `${name(e)} (right edge ${Math.round(e.getBoundingClientRect().right)})`);
    return { scrollWidth, innerWidth, wide };
  });
}

/**
 * Checks a feed (a URL or a file) with Python's feedparser through feed_check.py; returns
 * its entries' titles in feed order, or throws with what feed_check.py found wrong.
 */
export function checkFeed(source) {
  const script = path.join(here, 'feed_check.py');
  try {
    const out = execFileSync('python3', [script, source], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return JSON.parse(out);
  } catch (e) {
    throw new Error(`feed_check.py ${source} failed (exit ${e.status}):\n${e.stderr || e.message}`);
  }
}

/** axe-core's browser build, pinned in package-lock.json. */
export const AXE = path.join(here, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * Runs axe-core on the page as it is (its context needs bypassCSP: true) and returns the
 * violations, each with its rule, impact, help text and the selectors of the elements at fault.
 */
export async function axeViolations(page) {
  if (!fs.existsSync(AXE)) throw new Error(`${AXE} is missing: run npm ci in tests/browser (scripts/test does)`);
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // `axe` is the global the script tag just defined.
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), message: n.failureSummary })),
    }));
  });
}
