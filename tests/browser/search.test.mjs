// 1. Search: typing a technology into the search box finds exactly the co-ops that use it,
// across every results page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { allResults, demoMembers, launchBrowser, startInstance, watch } from './lib/harness.mjs';

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

const members = demoMembers();
const slugsUsing = (tech) =>
  members.filter((m) => m.technologies.some((t) => t.toLowerCase() === tech.toLowerCase())).map((m) => m.slug);

async function searchFromHome(page, text) {
  await page.goto(`${server.url}/`);
  await page.fill('#q', text);
  await Promise.all([page.waitForURL(/\/coops\?/), page.press('#q', 'Enter')]);
  return allResults(page);
}

test('searching "wordpress" lists exactly the co-ops whose technologies include WordPress', { timeout: 60_000 }, async () => {
  const expected = slugsUsing('WordPress');
  assert.ok(expected.length >= 2, 'the demo data has WordPress co-ops to find');
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  const results = await searchFromHome(page, 'wordpress');

  assert.match(page.url(), /[?&]q=wordpress(&|$)/);
  assert.equal(await page.inputValue('#q'), 'wordpress', 'the query stays in the search box');
  assert.deepEqual([...results.keys()].sort(), expected.map((s) => `/coops/${s}`).sort());
  const names = Object.fromEntries(members.map((m) => [`/coops/${m.slug}`, m.name]));
  for (const [href, name] of results) assert.equal(name, names[href], `name shown for ${href}`);
  assert.equal(Number(await page.textContent('#total')), expected.length, '#total counts the matches');
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

test('the search is case-insensitive and a technology absent from the data finds nothing', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  const upper = await searchFromHome(page, 'WORDPRESS');
  assert.deepEqual([...upper.keys()].sort(), slugsUsing('WordPress').map((s) => `/coops/${s}`).sort());

  const none = await searchFromHome(page, 'zzqxnotatechnology');
  assert.equal(none.size, 0);
  assert.equal(Number(await page.textContent('#total')), 0);
  await page.close();
});

test('without a query, paging through the directory (20 a page) lists every member once', { timeout: 60_000 }, async () => {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/coops`);
  assert.equal(await page.locator('ul.results > li.result').count(), 20, 'first page is full');
  const results = await allResults(page);
  assert.deepEqual([...results.keys()].sort(), members.map((m) => `/coops/${m.slug}`).sort());
  assert.equal(Number(await page.textContent('#total')), members.length);
  await page.close();
});
