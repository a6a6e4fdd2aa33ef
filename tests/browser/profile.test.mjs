// 4. A co-op's profile: the fediverse handle, schema.org JSON-LD, the copy button (with
// JavaScript), rel=me links and the follow form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMembers, launchBrowser, startInstance, uiTexts, watch } from './lib/harness.mjs';

let server;
let browser;
before(async () => {
  server = await startInstance();
  browser = await launchBrowser();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
}, { timeout: 120_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
});

const SLUG = 'outlandish';
const norm = (url) => new URL(url).href;

test('the profile shows the handle and valid schema.org Organization JSON-LD', { timeout: 60_000 }, async () => {
  const coop = demoMembers().find((m) => m.slug === SLUG);
  assert.ok(coop, `${SLUG} is a demo member`);
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);

  // Reach it the way a visitor does: from the directory.
  await page.goto(`${server.url}/coops?q=${encodeURIComponent(coop.name)}`);
  await Promise.all([
    page.waitForURL(`${server.url}/coops/${SLUG}`),
    page.click(`ul.results > li.result h3 a[href="/coops/${SLUG}"]`),
  ]);

  assert.equal((await page.textContent('h1')).trim(), coop.name);
  assert.match(await page.title(), new RegExp(`^${coop.name}`));
  const handle = `@${SLUG}@${server.host}`;
  assert.equal((await page.textContent('code#handle')).trim(), handle);
  assert.ok(await page.isVisible('code#handle'));

  const blocks = await page.$$eval('script[type="application/ld+json"]', (ss) => ss.map((s) => s.textContent));
  assert.equal(blocks.length, 1, 'one JSON-LD block');
  const ld = JSON.parse(blocks[0]);
  assert.equal(ld['@context'], 'https://schema.org');
  assert.equal(ld['@type'], 'Organization');
  assert.equal(ld.name, coop.name);
  assert.equal(ld['@id'], `${server.url}/coops/${SLUG}`, '@id is the profile (actor) URL');
  assert.equal(ld.url, norm(coop.website), 'url is the co-op\'s own website');
  if (coop.latitude != null) assert.equal(ld.geo?.latitude, coop.latitude);

  // The website and other links carry rel=me (for fediverse verification).
  const me = await page.$$eval('a[rel~=me]', (as) => as.map((a) => a.href));
  assert.ok(coop.website, 'the demo co-op has a website');
  assert.ok(me.includes(norm(coop.website)), `${coop.website} is linked with rel=me: ${me}`);
  for (const link of coop.links ?? []) assert.ok(me.includes(norm(link.url)), `${link.url} has rel=me`);

  // The follow form posts the handle to /follow.
  const form = page.locator('form[action="/follow"]');
  assert.equal(await form.count(), 1);
  assert.equal(await form.locator('input[name=handle]').inputValue(), handle.slice(1));
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});

test('with JavaScript the copy button appears and copies the handle', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/coops/${SLUG}`);
  const button = page.locator('button[data-copy]');
  await button.waitFor({ state: 'visible' });
  assert.equal(await button.getAttribute('hidden'), null, 'the script un-hides it');
  const label = (await button.textContent()).trim();
  assert.equal(label, uiTexts('en').copy);

  await page.evaluate(() => navigator.clipboard.writeText('nothing yet'));
  await button.click();
  await page.waitForFunction((copied) => document.querySelector('button[data-copy]').textContent === copied, uiTexts('en').copied);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, `@${SLUG}@${server.host}`);
  // The label comes back after a moment.
  await page.waitForFunction((l) => document.querySelector('button[data-copy]').textContent === l, label, { timeout: 5000 });
  await page.close();
});

test('without JavaScript the copy button stays hidden', { timeout: 60_000 }, async () => {
  const noJs = await launchBrowser({ javaScriptEnabled: false });
  try {
    const page = await noJs.context.newPage();
    await page.goto(`${server.url}/coops/${SLUG}`);
    assert.equal(await page.isVisible('button[data-copy]'), false);
    assert.equal((await page.textContent('code#handle')).trim(), `@${SLUG}@${server.host}`);
  } finally {
    await noJs.close();
  }
});

test('the follow form sends the visitor to their own server to confirm', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  // No network here: catch the form's request to /follow, keep its answer (a redirect to
  // the visitor's server) and show a stand-in page instead of following it.
  let answer;
  await page.route(`${server.url}/follow?*`, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    answer = { url: route.request().url(), status: response.status(), location: response.headers().location };
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>captured</title>' });
  });
  await page.goto(`${server.url}/coops/${SLUG}`);
  await page.fill('input#instance', 'https://Social.Example/');
  await Promise.all([page.waitForURL(/\/follow\?/), page.press('input#instance', 'Enter')]);
  assert.ok(answer, 'the form was submitted to /follow');
  const sent = new URL(answer.url).searchParams;
  assert.equal(sent.get('handle'), `${SLUG}@${server.host}`);
  assert.equal(answer.status, 303);
  const location = new URL(answer.location);
  assert.equal(location.origin, 'https://social.example');
  assert.equal(location.pathname, '/authorize_interaction');
  assert.equal(location.searchParams.get('uri'), `acct:${SLUG}@${server.host}`);
  await page.close();
});
