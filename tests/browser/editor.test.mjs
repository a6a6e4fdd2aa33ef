// The web console from a co-op editor's side: an invited editor changes the co-op's
// services and sees the public page and the actor change; another co-op's editor page is
// refused (403) even by direct URL; a logo upload of a non-image is refused with a message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMembers, launchBrowser, startInstance, watch } from './lib/harness.mjs';

const PASSWORD = 'correct horse battery staple';
const SLUG = 'outlandish';

let server;
let browser;
let page;
before(async () => {
  server = await startInstance();
  browser = await launchBrowser();
  const link = (await server.cli(['invite', '--role', 'editor', '--coop', SLUG])).trim();
  page = await browser.context.newPage();
  await page.goto(link);
  await page.fill('#f-email', 'editor@outlandish.example');
  await page.fill('#f-display_name', 'Ed Itor');
  await page.fill('#f-password', PASSWORD);
  await page.fill('#f-password_confirm', PASSWORD);
  await Promise.all([page.waitForURL(`${server.url}/console`), page.click('main form button[type=submit]')]);
}, { timeout: 120_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the editor changes the services; the public page and the actor follow', { timeout: 60_000 }, async () => {
  const seen = watch(page, server.url);
  await page.click(`a[href="/console/coops/${SLUG}"]`);
  await page.waitForURL(`${server.url}/console/coops/${SLUG}`);
  assert.equal(await page.getAttribute('#f-services', 'aria-describedby'), 'f-services-hint');
  await page.fill('#f-services', 'Platform co-op consulting; Bicycle logistics');
  await Promise.all([page.waitForURL(/notice=saved/), page.click('#profile button[type=submit]')]);
  assert.match(await page.textContent('.notice'), /Saved/);
  assert.equal(await page.inputValue('#f-services'), 'Platform co-op consulting; Bicycle logistics');

  await page.goto(`${server.url}/coops/${SLUG}`);
  const fields = await page.textContent('dl.fields');
  assert.match(fields, /Bicycle logistics/);
  const actor = await page.evaluate(async (url) => {
    const r = await fetch(url, { headers: { Accept: 'application/activity+json' } });
    return r.json();
  }, `${server.url}/coops/${SLUG}`);
  const tags = actor.tag.map((t) => t.name);
  assert.ok(tags.includes('#BicycleLogistics'), JSON.stringify(tags));
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
});

test("another co-op's editor is refused, also by direct URL", { timeout: 60_000 }, async () => {
  const other = demoMembers().find((m) => m.slug !== SLUG).slug;
  for (const path of [`/console/coops/${other}`, `/console/coops/${other}/posts`, '/console/admin/members']) {
    const response = await page.goto(`${server.url}${path}`);
    assert.equal(response.status(), 403, path);
    assert.equal((await page.textContent('h1')).trim(), 'Not allowed');
  }
  // The overview offers only the editor's own co-op.
  await page.goto(`${server.url}/console`);
  assert.equal(await page.locator(`a[href="/console/coops/${other}"]`).count(), 0);
});

test('a logo that is not an image is refused with a message', { timeout: 60_000 }, async () => {
  await page.goto(`${server.url}/console/coops/${SLUG}`);
  await page.setInputFiles('#f-logo', {
    name: 'logo.png',
    mimeType: 'image/png',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/console/coops/${SLUG}/logo`)),
    page.click('#logo form[enctype="multipart/form-data"] button[type=submit]'),
  ]);
  assert.equal(response.status(), 422);
  assert.match(await page.textContent('#f-logo-error'), /not a PNG, JPEG or WebP image/);
  assert.equal(await page.getAttribute('#f-logo', 'aria-invalid'), 'true');
  assert.ok(await page.isVisible('.alert[role=alert]'));
});
