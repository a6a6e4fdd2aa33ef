// 3. Language: the switcher changes <html lang> and the interface strings, and the choice
// is kept in a cookie for the pages that follow.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, startInstance, uiTexts, watch } from './lib/harness.mjs';

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

const htmlLang = (page) => page.getAttribute('html', 'lang');
const navTexts = (page) =>
  page.$$eval('header.site nav:not(.langs) a', (as) => as.map((a) => a.textContent.trim()));
const navOf = (t) => [t.nav_directory, t.nav_map, t.nav_news, t.nav_federation, t.nav_about];

test('clicking Deutsch switches the page to German and the cookie keeps it', { timeout: 60_000 }, async () => {
  const en = uiTexts('en');
  const de = uiTexts('de');
  assert.notDeepEqual(navOf(en), navOf(de), 'German and English navigation differ');

  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  const response = await page.goto(`${server.url}/`);
  assert.equal(response.headers()['content-language'], 'en');
  assert.equal(await htmlLang(page), 'en');
  assert.deepEqual(await navTexts(page), navOf(en));
  assert.equal(await page.getAttribute('nav.langs a[aria-current=true]', 'hreflang'), 'en');

  await Promise.all([
    page.waitForURL(/[?&]lang=de/),
    page.click('nav.langs a[hreflang=de]'),
  ]);
  assert.equal(await htmlLang(page), 'de');
  assert.deepEqual(await navTexts(page), navOf(de), 'the navigation is in German');
  assert.equal((await page.textContent('a.skip')).trim(), de.skip_to_content);
  assert.equal(await page.getAttribute('#q', 'placeholder'), de.search_placeholder);
  assert.equal(await page.getAttribute('nav.langs a[aria-current=true]', 'hreflang'), 'de');

  const cookie = (await browser.context.cookies(server.url)).find((c) => c.name === 'lang');
  assert.equal(cookie?.value, 'de', 'the choice is stored in the lang cookie');

  // The next page, reached by a plain link without ?lang, is German too.
  await Promise.all([page.waitForURL(/\/coops$/), page.click(`header.site nav a[href="/coops"]`)]);
  assert.doesNotMatch(page.url(), /lang=/);
  assert.equal(await htmlLang(page), 'de');
  assert.equal((await page.textContent('h1')).trim(), de.directory_title);
  assert.equal(
    (await page.textContent('section.facet[data-facet=service] h3')).trim(),
    de.facet_service,
  );

  // And a page opened afresh in the same browser.
  await page.goto(`${server.url}/map`);
  assert.equal(await htmlLang(page), 'de');
  assert.equal((await page.textContent('h1')).trim(), de.map_title);

  // The switcher keeps the current query: French on the directory's search.
  await page.goto(`${server.url}/coops?q=wordpress`);
  const frHref = await page.getAttribute('nav.langs a[hreflang=fr]', 'href');
  assert.match(frHref, /q=wordpress/);
  assert.match(frHref, /lang=fr/);
  await Promise.all([page.waitForURL(/lang=fr/), page.click('nav.langs a[hreflang=fr]')]);
  assert.equal(await htmlLang(page), 'fr');
  assert.equal(await page.inputValue('#q'), 'wordpress');
  assert.equal((await page.textContent('h1')).trim(), uiTexts('fr').directory_title);

  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});

test('?lang=nl works on any page, and a browser without a cookie gets its Accept-Language', { timeout: 60_000 }, async () => {
  const nl = uiTexts('nl');
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/about?lang=nl`);
  assert.equal(await htmlLang(page), 'nl');
  assert.deepEqual(await navTexts(page), navOf(nl));

  await page.close();

  // A browser that never chose gets the language it asks for (Accept-Language: de-DE).
  const german = await launchBrowser({ locale: 'de-DE' });
  try {
    const p = await german.context.newPage();
    await p.goto(`${server.url}/news`);
    assert.equal(await htmlLang(p), 'de');
    assert.deepEqual(await navTexts(p), navOf(uiTexts('de')));
    assert.deepEqual(await german.context.cookies(server.url), [], 'no cookie without a choice');
  } finally {
    await german.close();
  }
});
