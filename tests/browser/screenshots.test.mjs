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
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const SHOTS = [
  ['home', '/', 'h1'],
  ['directory', '/coops', 'ul.results > li.result'],
  ['profile', '/coops/outlandish', 'code#handle'],
  ['directory-de-mobile', '/coops?lang=de&q=wordpress', 'ul.results > li.result', { width: 390, height: 844 }],
];

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf) {
  assert.equal(buf.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

for (const [name, path, ready, viewport] of SHOTS) {
  test(`screenshot: ${name} (${path})`, { timeout: 30_000 }, async (t) => {
    const page = await browser.context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector(ready, { state: 'visible' });
    await page.evaluate(() => document.fonts.ready);
    const file = join(screenshotDir(), `${name}.png`);
    rmSync(file, { force: true });
    await page.screenshot({ path: file, fullPage: true });
    const size = pngSize(readFileSync(file));
    const width = viewport?.width ?? 1280;
    assert.equal(size.width, width, 'as wide as the viewport: nothing overflows sideways');
    assert.ok(size.height >= (viewport?.height ?? 900), `full page: ${size.height} px tall`);
    t.diagnostic(`${file}: ${size.width}×${size.height}`);
    await page.close();
  });
}
