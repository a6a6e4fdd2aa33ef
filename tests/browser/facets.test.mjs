// 2. Facets: clicking a facet value narrows results and counts, marks the value pressed and
// puts the filter in the URL; the active-filter link takes it away again.
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

/** facet name → [{label, count, pressed}] as shown. */
async function facets(page) {
  return page.$$eval('aside.facets section.facet', (sections) =>
    Object.fromEntries(
      sections.map((s) => [
        s.dataset.facet,
        [...s.querySelectorAll('a[aria-pressed]')].map((a) => ({
          label: a.querySelector('span').textContent.trim(),
          count: Number(a.querySelector('.count').textContent),
          pressed: a.getAttribute('aria-pressed'),
        })),
      ]),
    ),
  );
}
const total = async (page) => Number(await page.textContent('#total'));

test('a service facet narrows the results, then the active-filter link restores them', { timeout: 90_000 }, async () => {
  const members = demoMembers();
  const page = await browser.context.newPage();
  const seen = watch(page, server.url);
  await page.goto(`${server.url}/coops`);

  const before = await total(page);
  assert.equal(before, members.length);
  const shown = await facets(page);
  for (const name of ['network', 'country', 'service', 'technology', 'language']) {
    assert.ok(shown[name]?.length > 0, `facet ${name} is shown`);
    assert.ok(shown[name].every((v) => v.pressed === 'false'), `nothing in ${name} is pressed yet`);
  }
  // The most frequent service that does not cover every co-op, so the total must shrink.
  const pick = shown.service.find((v) => v.count < before && v.count > 0);
  assert.ok(pick, 'a service that narrows the results');
  const expected = members.filter((m) => m.services.includes(pick.label)).map((m) => `/coops/${m.slug}`);
  assert.equal(pick.count, expected.length, `facet count of ${pick.label} matches the demo data`);

  const link = page.locator('section.facet[data-facet=service] a[aria-pressed]', { hasText: pick.label }).first();
  await Promise.all([page.waitForURL(/[?&]service=/), link.click()]);

  assert.match(page.url(), /[?&]service=/, 'the filter is in the URL');
  const after = await total(page);
  assert.equal(after, pick.count, 'the total is the count the facet promised');
  assert.ok(after < before, 'the total decreased');
  const narrowed = await facets(page);
  const pressed = narrowed.service.filter((v) => v.pressed === 'true');
  assert.deepEqual(pressed.map((v) => v.label), [pick.label], 'only the clicked value is pressed');
  assert.equal(pressed[0].count, after);
  for (const [name, values] of Object.entries(narrowed)) {
    for (const v of values) assert.ok(v.count <= after, `${name} ${v.label}: ${v.count} ≤ ${after}`);
  }
  assert.ok(narrowed.network.every((v) => v.count <= before));

  const onPage = await page.$$eval('ul.results > li.result', (lis) =>
    lis.map((li) => [...li.querySelectorAll('ul.tags li')].map((t) => t.textContent.trim())),
  );
  for (const tags of onPage) assert.ok(tags.includes(pick.label), `every result offers ${pick.label}`);
  const listed = await allResults(page);
  assert.deepEqual([...listed.keys()].sort(), expected.sort(), 'exactly the co-ops offering it');

  // Back to page 1 of the filtered view, then remove the filter by its badge.
  await page.goto(page.url().replace(/&page=\d+/, ''));
  const badge = page.locator('ul.active-filters a.badge');
  assert.equal(await badge.count(), 1);
  assert.match(await badge.textContent(), new RegExp(pick.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await Promise.all([page.waitForURL((u) => !u.search.includes('service=')), badge.click()]);
  assert.equal(await total(page), before, 'the total is back');
  assert.equal(await page.locator('ul.active-filters').count(), 0, 'no active filters left');
  assert.ok((await facets(page)).service.every((v) => v.pressed === 'false'));

  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});

test('two facets of different kinds combine (AND), and the sort select re-submits', { timeout: 60_000 }, async () => {
  const members = demoMembers();
  const page = await browser.context.newPage();
  await page.goto(`${server.url}/coops`);
  const shown = await facets(page);
  const service = shown.service[0];
  await Promise.all([
    page.waitForURL(/service=/),
    page.locator('section.facet[data-facet=service] a', { hasText: service.label }).first().click(),
  ]);
  const tech = (await facets(page)).technology.find((v) => v.pressed === 'false' && v.count > 0);
  await Promise.all([
    page.waitForURL(/technology=/),
    page.locator('section.facet[data-facet=technology] a[aria-pressed=false]', { hasText: tech.label }).first().click(),
  ]);
  const expected = members.filter((m) => m.services.includes(service.label) && m.technologies.includes(tech.label));
  assert.equal(Number(await page.textContent('#total')), expected.length);
  assert.equal(tech.count, expected.length, 'the facet count predicted the combined total');
  assert.equal(await page.locator('ul.active-filters a.badge').count(), 2);

  // Sorting by name keeps the filters and orders the results.
  await Promise.all([page.waitForURL(/sort=name/), page.selectOption('select#sort', 'name')]);
  assert.match(page.url(), /service=/);
  assert.match(page.url(), /technology=/);
  const names = await page.$$eval('ul.results > li.result h3 a', (as) => as.map((a) => a.textContent.trim()));
  assert.equal(names.length, expected.length);
  const sorted = [...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  assert.deepEqual(names.map((n) => n.toLowerCase()), sorted.map((n) => n.toLowerCase()));
  await page.close();
});
