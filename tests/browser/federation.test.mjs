// 7. Federation: on the demo's UK instance the directory holds co-ops of all four networks,
// and a federated co-op's page says so and links to its home instance.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_NETWORKS, DEMO_TOTAL, allResults, launchBrowser, startDemo, uiTexts, watch } from './lib/harness.mjs';

let demo;
let browser;
before(async () => {
  try {
    demo = await startDemo();
  } catch (e) {
    // Seen once on a loaded machine: an inbox answered 500 (UNIQUE constraint failed:
    // remote_actor.actor_id) and the mesh never completed. Say so loudly, try once more.
    console.error(`WARNING: the demo federation did not come up; retrying once.\n${e.message}`);
    demo = await startDemo();
  }
  browser = await launchBrowser();
}, { timeout: 300_000 });
after(async () => {
  await browser?.close();
  await demo?.stop();
});

async function networkFacet(page) {
  return page.$$eval('section.facet[data-facet=network] a[aria-pressed]', (as) =>
    as.map((a) => ({
      name: a.querySelector('span').textContent.trim(),
      count: Number(a.querySelector('.count').textContent),
      href: a.getAttribute('href'),
    })),
  );
}

test('the UK directory lists co-ops of all four networks', { timeout: 90_000 }, async () => {
  const uk = demo.urls[0];
  const page = await browser.context.newPage();
  const seen = watch(page, uk);
  await page.goto(`${uk}/`);
  assert.equal((await page.textContent('header.site a.brand')).trim(), DEMO_NETWORKS[0]);
  const counts = await page.$$eval('ul.counts strong', (ss) => ss.map((s) => Number(s.textContent)));
  assert.deepEqual(counts.slice(1), [DEMO_TOTAL, 4], 'home: co-ops across the federation, networks');

  await page.goto(`${uk}/coops`);
  assert.equal(Number(await page.textContent('#total')), DEMO_TOTAL);
  const facet = await networkFacet(page);
  assert.equal(facet.length, 4, 'four networks in the network facet');
  assert.deepEqual(facet.map((f) => f.name).sort(), [...DEMO_NETWORKS].sort());
  assert.equal(facet.reduce((n, f) => n + f.count, 0), DEMO_TOTAL, 'every co-op in exactly one network');

  // Every co-op appears once across the pages; the federated ones link to /federated/HOST/.
  const all = await allResults(page);
  assert.equal(all.size, DEMO_TOTAL);
  const hrefs = [...all.keys()];
  assert.equal(hrefs.filter((h) => /^\/coops\/[^/]+$/.test(h)).length, facet.find((f) => f.name === DEMO_NETWORKS[0]).count);
  for (const [i, host] of demo.hosts.entries()) {
    if (i === 0) continue;
    const n = hrefs.filter((h) => h.startsWith(`/federated/${host}/`)).length;
    assert.equal(n, facet.find((f) => f.name === DEMO_NETWORKS[i]).count, `${DEMO_NETWORKS[i]} co-ops at /federated/${host}/`);
  }

  // The federation page lists the three peers with their counts.
  await page.goto(`${uk}/federation`);
  const rows = await page.$$eval('table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(rows.length, 3);
  for (const name of DEMO_NETWORKS.slice(1)) assert.ok(rows.some((r) => r.includes(name)), `${name} is a peer`);
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});

test('a federated co-op: filter by its network, open it, see the notice, go home', { timeout: 90_000 }, async () => {
  const uk = demo.urls[0];
  const frHost = demo.hosts[3];
  const page = await browser.context.newPage();
  const seen = watch(page);
  await page.goto(`${uk}/coops`);
  const fr = (await networkFacet(page)).find((f) => f.name === DEMO_NETWORKS[3]);
  await Promise.all([
    page.waitForURL(/network=/),
    page.click(`section.facet[data-facet=network] a[href="${fr.href}"]`),
  ]);
  assert.equal(Number(await page.textContent('#total')), fr.count);
  const badges = await page.$$eval('ul.results > li.result .meta .badge', (bs) => bs.length);
  assert.equal(badges, Math.min(fr.count, 20), 'each federated result is marked');

  const link = page.locator('ul.results > li.result h3 a').first();
  const name = (await link.textContent()).trim();
  const href = await link.getAttribute('href');
  const slug = href.split('/').pop();
  assert.equal(href, `/federated/${frHost}/${slug}`);
  await Promise.all([page.waitForURL(`${uk}${href}`), link.click()]);

  assert.equal((await page.textContent('h1')).trim(), name);
  const notice = page.locator('.notice');
  assert.ok(await notice.isVisible(), 'the federated notice is shown');
  assert.match(await notice.textContent(), new RegExp(uiTexts('en').federated_note.slice(0, 30).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  const home = notice.locator('a');
  assert.equal(await home.getAttribute('href'), `http://${frHost}/coops/${slug}`);
  assert.equal((await page.textContent('code#handle')).trim(), `@${slug}@${frHost}`);
  assert.equal(
    await page.getAttribute('p.meta a', 'href'),
    `http://${frHost}/network`,
    'member of the French network, linked there',
  );

  // Follow the link to its home instance: the same co-op, local there, with no notice.
  await Promise.all([page.waitForURL(`http://${frHost}/coops/${slug}`), home.click()]);
  assert.equal((await page.textContent('h1')).trim(), name);
  assert.equal(await page.locator('.notice').count(), 0);
  assert.equal((await page.textContent('header.site a.brand')).trim(), DEMO_NETWORKS[3]);
  assert.equal((await page.textContent('code#handle')).trim(), `@${slug}@${frHost}`);
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.consoleErrors, []);
  await page.close();
});
