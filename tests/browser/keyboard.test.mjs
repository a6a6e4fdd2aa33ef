// 5. Keyboard only: skip link, search box, submit with Enter, first result, all by Tab.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMembers, launchBrowser, startInstance, uiTexts } from './lib/harness.mjs';

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

/** What has focus: tag, id, class, href, text. */
const active = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    return {
      tag: e?.tagName.toLowerCase(),
      id: e?.id || '',
      cls: e?.className || '',
      href: e?.getAttribute('href') || '',
      text: (e?.textContent || '').trim().slice(0, 80),
      outline: e ? getComputedStyle(e).outlineStyle : '',
    };
  });

/** Presses Tab until `pred(active)` holds; returns the number of presses. */
async function tabUntil(page, pred, max) {
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    if (pred(await active(page))) return n;
  }
  const last = await active(page);
  assert.fail(`not reached within ${max} presses of Tab; focus is on ${JSON.stringify(last)}`);
}

test('Tab reaches the skip link, the search box, and after Enter the first result', { timeout: 60_000 }, async (t) => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/`);
  assert.equal((await active(page)).tag, 'body', 'nothing is focused on load');

  // The first Tab lands on the skip link, which then becomes visible.
  await page.keyboard.press('Tab');
  let now = await active(page);
  assert.equal(now.cls, 'skip', `first Tab: ${JSON.stringify(now)}`);
  assert.equal(now.href, '#main');
  assert.equal(now.text, uiTexts('en').skip_to_content);
  const box = await page.locator('a.skip').boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0 && box.width > 0, `skip link on screen when focused: ${JSON.stringify(box)}`);
  assert.notEqual(now.outline, 'none', 'the focused skip link has an outline');

  // Enter follows it: focus moves to <main>, and the search box is a few Tabs away.
  await page.keyboard.press('Enter');
  await page.waitForURL(/#main$/);
  assert.equal((await active(page)).id, 'main');
  const toSearch = await tabUntil(page, (a) => a.id === 'q', 3);
  assert.ok(toSearch <= 3);

  // Without the skip link the search box is still within reach from the top.
  await page.goto(`${server.url}/`);
  const direct = await tabUntil(page, (a) => a.id === 'q', 15);
  assert.ok(direct <= 15, `search box after ${direct} Tabs`);
  t.diagnostic(`Tab presses from page load to the search box: ${direct}`);

  await page.keyboard.type('wordpress');
  await Promise.all([page.waitForURL(/\/coops\?q=wordpress/), page.keyboard.press('Enter')]);
  const first = await page.getAttribute('ul.results > li.result h3 a', 'href');
  assert.ok(first, 'there are results');

  // From the results page: skip link, then Tab on to the first result link.
  await page.keyboard.press('Tab');
  assert.equal((await active(page)).cls, 'skip');
  await page.keyboard.press('Enter');
  await page.waitForURL(/#main$/);
  const toFirst = await tabUntil(page, (a) => a.tag === 'a' && a.href === first, 80);
  t.diagnostic(`Tab presses from <main> to the first result: ${toFirst} (facets come first)`);
  const focusedFirst = await active(page);
  assert.notEqual(focusedFirst.outline, 'none', 'the focused result link shows an outline');
  const expected = demoMembers().find((m) => `/coops/${m.slug}` === first);
  assert.equal(focusedFirst.text, expected.name);

  // Enter opens it.
  await Promise.all([page.waitForURL(`${server.url}${first}`), page.keyboard.press('Enter')]);
  assert.equal((await page.textContent('h1')).trim(), expected.name);
  await page.close();
});

test('the sort select and the facets work from the keyboard', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/coops`);
  await tabUntil(page, (a) => a.id === 'sort', 20);
  // Changing the select with the keyboard submits the form (select[data-autosubmit]).
  await Promise.all([page.waitForURL(/sort=name/), page.keyboard.press('ArrowDown')]);
  assert.equal(await page.inputValue('select#sort'), 'name');

  // Tab to the first service facet and press Enter: the filter is applied.
  const facetHref = await page.getAttribute('section.facet[data-facet=service] a', 'href');
  await tabUntil(page, (a) => a.href === facetHref, 80);
  await Promise.all([page.waitForURL(/service=/), page.keyboard.press('Enter')]);
  assert.equal(await page.getAttribute('section.facet[data-facet=service] a', 'aria-pressed'), 'true');
  assert.match(page.url(), /sort=name/, 'the sort is kept');
  await page.close();
});
