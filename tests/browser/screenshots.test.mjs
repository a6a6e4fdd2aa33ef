// 8. Screenshots of the home page, the directory and a profile, for people to look at:
// written to $SCREENSHOT_DIR (default tests/browser/screenshots/, git-ignored).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, screenshotDir, startInstance } from './lib/harness.mjs';

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

// [file name, path, element to wait for, viewport (default 1280×900)]
const SHOTS = [
  ['home', '/', 'h1'],
  ['directory', '/coops', 'ul.results > li.result'],
  ['profile', '/coops/outlandish', 'code#handle'],
  ['directory-de-phone', '/coops?lang=de&q=wordpress', 'ul.results > li.result', { width: 390, height: 844 }],
];
const sizes = {};

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

for (const [name, path, ready, viewport = { width: 1280, height: 900 }] of SHOTS) {
  test(`screenshot: ${name} (${path})`, { timeout: 30_000 }, async (t) => {
    const page = await browser.context.newPage();
    await page.setViewportSize(viewport);
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector(ready, { state: 'visible' });
    await page.evaluate(() => document.fonts.ready);
    const file = join(screenshotDir(), `${name}.png`);
    rmSync(file, { force: true });
    await page.screenshot({ path: file, fullPage: true });
    const size = pngSize(readFileSync(file));
    sizes[name] = { ...size, viewport };
    assert.ok(size.width >= viewport.width, `at least as wide as the viewport: ${size.width} px`);
    assert.ok(size.height >= viewport.height, `full page: ${size.height} px tall`);
    t.diagnostic(`${file}: ${size.width}×${size.height}`);
    await page.close();
  });
}

test('desktop pages do not scroll sideways', () => {
  for (const name of ['home', 'directory', 'profile']) {
    assert.equal(sizes[name]?.width, 1280, `${name} is 1280 px wide`);
  }
});

test('the German directory fits a 390 px phone', () => {
  assert.equal(sizes['directory-de-phone']?.width, 390);
});
