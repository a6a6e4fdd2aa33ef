// 9. XSS: a co-op whose name and summary are HTML and script, added through the CLI, shows
// as text everywhere and never runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startInstance, watch } from './lib/harness.mjs';

const NAME = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
const SUMMARY = '<script>alert(3)</script> [x](javascript:alert(4))';
const LOCALITY = '<svg onload=alert(5)>';

let server;
let browser;
before(async () => {
  server = await startInstance();
  const out = await server.cli([
    'coop', 'add', 'xss-test',
    '--name', NAME,
    '--summary', `en=${SUMMARY}`,
    '--locality', LOCALITY,
    '--country', 'GB',
    '--latitude', '51.5',
    '--longitude', '-0.12',
    '--services', '<i>Hacking</i>',
  ]);
  assert.match(out, /xss-test/);
  browser = await launchBrowser();
}, { timeout: 120_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGES = [
  ['directory', '/coops?sort=newest', 'ul.results > li.result h3 a[href="/coops/xss-test"]'],
  ['directory search', '/coops?q=alert', 'ul.results > li.result h3 a[href="/coops/xss-test"]'],
  ['profile', '/coops/xss-test', 'h1'],
  ['home', '/', 'a[href="/coops/xss-test"]'],
  ['map', '/map', 'ul.tags a[href="/coops/xss-test"]'],
  ['news', '/news', 'main'],
  ['network', '/network', 'main'],
];

for (const [label, path, where] of PAGES) {
  test(`${label} (${path}): the name is text, nothing runs`, { timeout: 30_000 }, async () => {
    const page = await browser.context.newPage();
    const seen = watch(page, server.url);
    await page.addInitScript(() => {
      window.__ran = [];
      for (const f of ['alert', 'confirm', 'prompt']) {
        const orig = window[f];
        window[f] = (...a) => {
          window.__ran.push(`${f}(${a.join(',')})`);
          return orig.apply(window, a);
        };
      }
    });
    await page.goto(`${server.url}${path}`);
    await page.waitForLoadState('networkidle');
    // Give an <img onerror> or a late script the chance to fire.
    await page.waitForTimeout(300);

    assert.deepEqual(seen.dialogs, [], 'no dialog opened');
    assert.deepEqual(await page.evaluate(() => window.__ran), [], 'no alert/confirm/prompt called');
    assert.deepEqual(seen.pageErrors, []);
    const injected = await page.evaluate(() => ({
      img: document.querySelectorAll('img[src="x"], img[onerror]').length,
      svg: document.querySelectorAll('svg[onload]').length,
      i: [...document.querySelectorAll('i')].filter((e) => e.textContent === 'Hacking').length,
      scripts: [...document.scripts].filter((s) => /alert/.test(s.textContent) && s.type !== 'application/ld+json').length,
      jsLinks: [...document.querySelectorAll('a[href]')].filter((a) => /^javascript:/i.test(a.getAttribute('href').trim())).length,
    }));
    assert.deepEqual(injected, { img: 0, svg: 0, i: 0, scripts: 0, jsLinks: 0 }, 'no markup from the data became elements');

    if (path !== '/news' && path !== '/network') {
      const text = (await page.locator(where).first().textContent()).trim();
      assert.equal(text, NAME, 'the name is shown as the very text typed');
      if (path !== '/map') assert.ok(await page.locator(where).first().isVisible());
    }
    await page.close();
  });
}

test('the profile: title, JSON-LD and summary keep the markup as text', { timeout: 30_000 }, async () => {
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/coops/xss-test`);
  assert.ok((await page.title()).startsWith(NAME), 'the <title> shows the name as text');
  const ld = JSON.parse(await page.textContent('script[type="application/ld+json"]'));
  assert.equal(ld.name, NAME, 'JSON-LD carries the name intact and stays valid JSON');
  assert.equal(await page.locator('script[type="application/ld+json"]').count(), 1, 'the name did not close the JSON-LD script');
  const summary = page.locator('.summary');
  assert.equal(await summary.locator('script').count(), 0);
  assert.equal(await summary.locator('a[href^="javascript:" i]').count(), 0);
  assert.ok(!(await summary.innerHTML()).includes('<script'), 'no script tag in the summary');
  assert.ok((await page.textContent('dl.fields')).includes(LOCALITY), 'the locality is shown as text');
  assert.deepEqual(seen.dialogs, []);
  await page.close();
});
