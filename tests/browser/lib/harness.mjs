// Shared machinery of the browser tests: coopnet instances in temp dirs on free ports, the
// four-network demo, Debian's Chromium through playwright-core, and page watchers.
//
// Every process started here is killed when the test file ends (after() hooks, and an
// 'exit' handler as the last resort); its pid is also appended to $COOPNET_BROWSER_PIDS so
// that run.sh can kill what a crashed test process left behind.
import { spawn, execFile } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// The four demo networks of `coopnet demo`, by port offset.
export const DEMO_NETWORKS = [
  'CoTech (demo)',
  'Digitale Genossenschaften (demo)',
  'Tech Coöperaties NL (demo)',
  'SCOP Tech France (demo)',
];
export const DEMO_TOTAL = 73;

const execFileP = promisify(execFile);

/** The coopnet binary: $COOPNET_BIN (set by run.sh), else the default debug build. */
export function coopnetBin() {
  const bin =
    process.env.COOPNET_BIN ||
    join(process.env.CARGO_TARGET_DIR || '/var/tmp/coopnet-target', 'debug', 'coopnet');
  if (!existsSync(bin)) {
    throw new Error(`no coopnet binary at ${bin}: run \`cargo build --workspace\` (or tests/browser/run.sh)`);
  }
  return bin;
}

// ---------------------------------------------------------------- processes

const children = new Set();
const tempDirs = new Set();

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (process.env.COOPNET_BROWSER_PIDS && child.pid) {
    appendFileSync(process.env.COOPNET_BROWSER_PIDS, `${child.pid}\n`);
  }
}

function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `coopnet-browser-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

async function stopChild(child, signal = 'SIGTERM') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((res) => child.once('exit', res));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The environment of a coopnet process: ours without any COOPNET_ setting, plus `extra`. */
function coopnetEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('COOPNET_') && k !== 'RUST_LOG') env[k] = v;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

function portFree(port) {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
  const srv = createServer();
  await new Promise((res, rej) => {
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', res);
  });
  const { port } = srv.address();
  await new Promise((res) => srv.close(res));
  return port;
}

/** The first of `n` consecutive free ports. */
export async function freePortRange(n) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = await portFree(base + i);
    if (ok) return base;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

function logTail(file, lines = 40) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitHealthy(url, child, log, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`coopnet exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${logTail(log)}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((res) => setTimeout(res, 150));
  }
  throw new Error(`coopnet not healthy at ${url} after ${timeoutMs} ms:\n${logTail(log)}`);
}

/**
 * Starts `coopnet serve` from a fresh temp dir with no config file: the demo settings
 * (SQLite under data/, the 29 CoTech demo members), on a free port.
 */
export async function startInstance() {
  const bin = coopnetBin();
  const dir = tempDir('instance');
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const env = coopnetEnv({
    COOPNET_LISTEN: `127.0.0.1:${port}`,
    COOPNET_DOMAIN: `localhost:${port}`,
  });
  const log = join(dir, 'coopnet.log');
  const fd = openSync(log, 'a');
  const child = spawn(bin, ['serve'], { cwd: dir, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  track(child);
  try {
    await waitHealthy(url, child, log);
  } catch (e) {
    await stopChild(child, 'SIGKILL');
    throw e;
  }
  return {
    url,
    port,
    host: `localhost:${port}`,
    dir,
    log,
    /** Runs the coopnet CLI against this instance's database. */
    async cli(args) {
      const { stdout } = await execFileP(bin, args, {
        cwd: dir,
        env: { ...env, COOPNET_DATABASE_URL: `sqlite://${join(dir, 'data', 'coopnet.db')}?mode=rwc` },
      });
      return stdout;
    },
    stop: () => stopChild(child),
  };
}

/**
 * Starts `coopnet demo` (four networks on base..base+3) and waits until it reports that
 * every instance lists all co-ops.
 */
export async function startDemo() {
  const bin = coopnetBin();
  const dir = tempDir('demo');
  const base = await freePortRange(4);
  const child = spawn(bin, ['demo', '--base-port', String(base), '--data-dir', join(dir, 'demo-data')], {
    cwd: dir,
    env: coopnetEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const converged = new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`demo did not converge in 120 s:\n${out.slice(-4000)}`)), 120_000);
    const check = () => {
      if (out.includes(`converged: every instance lists ${DEMO_TOTAL} co-ops`)) {
        clearTimeout(timer);
        res();
      } else if (/not converged/.test(out)) {
        clearTimeout(timer);
        rej(new Error(`demo did not converge:\n${out.slice(-4000)}`));
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rej(new Error(`demo exited (${code ?? signal}):\n${out.slice(-4000)}`));
    });
  });
  try {
    await converged;
  } catch (e) {
    // Nobody gets a handle to stop it: stop it here, or it keeps the test process alive.
    await stopChild(child, 'SIGKILL');
    throw e;
  }
  return {
    base,
    urls: [0, 1, 2, 3].map((i) => `http://localhost:${base + i}`),
    hosts: [0, 1, 2, 3].map((i) => `localhost:${base + i}`),
    output: () => out,
    stop: () => stopChild(child, 'SIGINT'),
  };
}

// ---------------------------------------------------------------- browser

/**
 * Debian's Chromium with a fresh profile (--user-data-dir), headless. Returns a persistent
 * context; close it with `close()`.
 */
export async function launchBrowser(options = {}) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  }
  const profile = tempDir('profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timeout: 60_000,
    ...options,
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
      tempDirs.delete(profile);
    },
  };
}

/**
 * Records what a page reports: console errors, uncaught exceptions, dialogs (dismissed),
 * and failed or erroring requests to `origin`. Console errors about the browser's automatic
 * /favicon.ico request are kept apart in `faviconErrors`.
 */
export function watch(page, origin) {
  const seen = { consoleErrors: [], faviconErrors: [], pageErrors: [], dialogs: [], badResponses: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const source = msg.location()?.url || '';
    const line = `${page.url()}: ${msg.text()}${source ? ` (${source})` : ''}`;
    // The browser's own request for /favicon.ico is tracked apart (see console.test.mjs).
    if (new URL(source || 'about:blank').pathname === '/favicon.ico') seen.faviconErrors.push(line);
    else seen.consoleErrors.push(line);
  });
  page.on('pageerror', (err) => seen.pageErrors.push(`${page.url()}: ${err.message}`));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('requestfailed', (req) => {
    if (!origin || req.url().startsWith(origin)) {
      seen.badResponses.push(`${req.url()}: ${req.failure()?.errorText}`);
    }
  });
  page.on('response', (res) => {
    if ((!origin || res.url().startsWith(origin)) && res.status() >= 400) {
      seen.badResponses.push(`${res.url()}: HTTP ${res.status()}`);
    }
  });
  return seen;
}

// ---------------------------------------------------------------- data

/** The CoTech demo members the instances are seeded with. */
export function demoMembers() {
  return JSON.parse(readFileSync(join(REPO, 'crates/app/demo/cotech-uk.json'), 'utf8'));
}

/** The interface strings of one language, read from crates/web/src/i18n.rs. */
export function uiTexts(lang) {
  const source = readFileSync(join(REPO, 'crates/web/src/i18n.rs'), 'utf8');
  const start = source.indexOf(`const ${lang.toUpperCase()}_TEXTS: Texts = Texts {`);
  if (start < 0) throw new Error(`no ${lang} texts in i18n.rs`);
  const block = source.slice(start, source.indexOf('\n};', start));
  const texts = {};
  for (const m of block.matchAll(/^\s*(\w+):\s*"((?:[^"\\]|\\.)*)",/gm)) {
    const rust = m[2].replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, hex) => String.fromCodePoint(parseInt(hex, 16)));
    texts[m[1]] = JSON.parse(`"${rust}"`);
  }
  return texts;
}

/** The folder screenshots go to: $SCREENSHOT_DIR, else tests/browser/screenshots/. */
export function screenshotDir() {
  const dir = resolve(process.env.SCREENSHOT_DIR || join(REPO, 'tests/browser/screenshots'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Follows `nav.pages a[rel=next]` and returns every result link (href → name). */
export async function allResults(page) {
  const results = new Map();
  for (let n = 0; n < 50; n++) {
    const items = await page.$$eval('ul.results > li.result h3 a', (as) =>
      as.map((a) => [a.getAttribute('href'), a.textContent.trim()]),
    );
    for (const [href, name] of items) {
      if (results.has(href)) throw new Error(`${href} listed twice across pages`);
      results.set(href, name);
    }
    const next = page.locator('nav.pages a[rel=next]');
    if ((await next.count()) === 0) return results;
    if (items.length !== 20) throw new Error(`a page with a next link has ${items.length} results, not 20`);
    const target = new URL(await next.getAttribute('href'), page.url());
    await next.click();
    await page.waitForURL((u) => u.pathname === target.pathname && u.search === target.search);
  }
  throw new Error('more than 50 pages');
}
