// 6. No console errors, uncaught exceptions or failed requests on the main pages; the map
// draws a dot per located co-op.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMembers, launchBrowser, startInstance, watch } from './lib/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startInstance();
  browser = await launchBrowser();
}, { timeout: 120_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
});

const PAGES = [
  ['home', '/'],
  ['directory', '/coops'],
  ['directory search', '/coops?q=wordpress&service=web-design&sort=name'],
  ['profile', '/coops/outlandish'],
  ['map', '/map'],
  ['federation', '/federation'],
  ['network', '/network'],
  ['news', '/news'],
  ['about', '/about'],
  ['German directory', '/coops?lang=de'],
];

const faviconErrors = [];

for (const [label, path] of PAGES) {
  test(`${label} (${path}): no console errors, page errors or failed requests`, { timeout: 30_000 }, async () => {
    const page = await browser.context.newPage();
    const seen = watch(page, server.url);
    const response = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    // Let deferred scripts and late requests settle.
    await page.waitForLoadState('networkidle');
    // The stylesheet applied and the enhancement script ran without throwing.
    assert.equal(await page.$eval('a.skip', (a) => getComputedStyle(a).position), 'absolute');
    assert.deepEqual(seen.pageErrors, [], 'uncaught exceptions');
    assert.deepEqual(seen.consoleErrors, [], 'console errors');
    assert.deepEqual(seen.badResponses, [], 'failed requests');
    assert.deepEqual(seen.dialogs, [], 'dialogs');
    faviconErrors.push(...seen.faviconErrors);
    await page.close();
  });
}

test('the map draws one linked dot per located member', { timeout: 30_000 }, async () => {
  const located = demoMembers().filter((m) => m.latitude != null && m.longitude != null);
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/map`);
  assert.ok(await page.isVisible('figure.map svg'));
  const dots = await page.$$eval('figure.map svg a', (as) =>
    as
      .filter((a) => a.querySelector('circle'))
      .map((a) => [a.getAttribute('href'), a.querySelector('circle title')?.textContent]),
  );
  assert.deepEqual(dots.map(([h]) => h).sort(), located.map((m) => `/coops/${m.slug}`).sort());
  for (const [href, title] of dots) {
    assert.equal(title, located.find((m) => `/coops/${m.slug}` === href).name);
  }
  // The dots are inside the drawing.
  const box = await page.locator('figure.map svg').boundingBox();
  for (const circle of await page.locator('figure.map svg circle').all()) {
    const b = await circle.boundingBox();
    assert.ok(b && b.x >= box.x && b.y >= box.y && b.x <= box.x + box.width && b.y <= box.y + box.height);
  }
  await page.close();
});

test('the browser finds a favicon (no 404 for /favicon.ico)', () => {
  assert.deepEqual(faviconErrors, []);
});
