// e2e.mjs - the console in headless Chromium against a running comb server
// (tests/integration/console_e2e.sh prepares the server, the nodes and
// EXPECT, a JSON file of what the pages must show). Prints ok:/FAIL: lines,
// saves a screenshot of every page to ARTIFACTS; exits 1 on any failure.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, logIn, paintedPixels } from './browser.mjs';

const { BASE, ARTIFACTS, EXPECT, OP_TOKEN } = process.env;
const want = JSON.parse(readFileSync(EXPECT, 'utf8'));
mkdirSync(ARTIFACTS, { recursive: true });
let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok:  ' : 'FAIL:'} ${what}`);
  if (!ok) failures++;
};

const context = await launch();
const page = await context.newPage();
const consoleErrors = [];
page.on('pageerror', (e) => consoleErrors.push(String(e)));
// errors the console itself logs, or the browser's (a CSP violation, a missing
// file); the 401s the test provokes on purpose are expected
page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) consoleErrors.push(m.text()); });
const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const open = async (hash, selector) => {
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector(selector, { timeout: 30000 });
};
const text = (selector) => page.textContent(selector);
const token = () => page.evaluate(() => sessionStorage.getItem('comb.token'));

try {
  // a wrong password: an error, no token
  await page.goto(`${BASE}/`);
  await page.fill('#user', want.user);
  await page.fill('#password', 'not-the-password');
  await page.click('#login button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
  check(/wrong user name or password/.test(await text('#login-error')), `wrong password: "${await text('#login-error')}"`);
  check((await token()) === null, 'wrong password: no token kept');
  await shot('login-error');

  await logIn(page, BASE, want.user, want.password);
  check(/^[0-9a-f]{64}$/.test(await token()), 'logged in: a token in sessionStorage');
  check((await page.context().cookies()).length === 0, 'no cookies');

  // dashboard: a card per node, charts drawn
  for (const n of want.nodes) check(await page.$(`.node-card[data-node="${n}"]`) !== null, `dashboard: node ${n}`);
  check(await paintedPixels(page, '#page-dashboard') > 1000, 'dashboard: charts drawn');
  await shot('dashboard');

  // assets: every test container on both nodes, by name and id
  await open('#/assets', '#containers');
  const rows = await page.$$eval('#containers tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  for (const n of want.nodes)
    for (const c of want.containers)
      check(rows.some((r) => r[0] === n && r[1] === c.name && c.id.startsWith(r[2])), `assets: ${n} has container ${c.name} (${c.id.slice(0, 12)})`);
  await page.fill('#asset-filter', want.containers[1].name);
  const shown = await page.$$eval('#containers tbody tr', (trs) => trs.filter((tr) => !tr.hidden).map((tr) => tr.cells[1].textContent));
  check(shown.length === want.nodes.length && shown.every((n) => n === want.containers[1].name),
    `assets: the filter leaves ${want.containers[1].name} on each node (${shown.length} rows)`);
  await page.fill('#asset-filter', '');
  await shot('assets');
  await open(`#/assets/${want.containers[0].id}`, '#page-asset[data-type=container]');
  const detail = await text('#page-asset');
  check(detail.includes(want.containers[0].id) && detail.includes('Processes'), `asset detail: container ${want.containers[0].name}`);
  check(detail.includes(want.containers[0].process), `asset detail: its process ${want.containers[0].process}`);
  await shot('asset-container');

  // vulnerabilities: the scanned image on both nodes, its real CVE ids
  await open('#/vulnerabilities', '#page-vulnerabilities');
  const list = await text('#page-vulnerabilities');
  for (const n of want.nodes) check(list.includes(n), `vulnerabilities: an image scanned on ${n}`);
  check(list.includes(want.image.name), `vulnerabilities: image ${want.image.name}`);
  await shot('vulnerabilities');
  await open(`#/vulnerabilities/${want.image.id}`, '#findings');
  const findings = await text('#findings');
  for (const id of want.image.cves) check(findings.includes(id), `image findings: ${id}`);
  await shot('image-vulnerabilities');

  // compliance: a section chart per node and a real fix text
  await open('#/compliance', '#page-compliance');
  for (const n of want.nodes) {
    const charts = await page.$$eval(`.bench[data-node="${n}"] .section-chart`, (els) => els.map((e) => e.dataset.section));
    check(charts.length === want.sections && charts.length === new Set(charts).size,
      `compliance: a chart for each of ${n}'s ${charts.length} sections (${charts.slice(0, 4).join(', ')}…)`);
    check(await paintedPixels(page, `.bench[data-node="${n}"]`) > 1000 * charts.length, `compliance: ${n}'s charts are drawn`);
  }
  const check0 = `.bench[data-node="${want.nodes[0]}"] li[data-check="${want.fix.id}"]`;
  await page.click(`${check0} summary`).catch(() => {});
  const fix = await page.innerText(check0).catch(() => ''); // the text shown once opened
  check(fix.includes(want.fix.remediation), `compliance: fix of ${want.fix.id}: "${want.fix.remediation}"`);
  await shot('compliance');

  // alerts: the timeline with the response taken
  await open('#/alerts', '#page-alerts');
  const alerts = await text('#page-alerts');
  for (const a of want.alerts) check(alerts.includes(a.rule) && alerts.includes(a.node), `alerts: "${a.rule}" on ${a.node}`);
  check(alerts.includes(want.response), `alerts: the response taken ("${want.response}")`);
  await shot('alerts');

  // the relationship graph: as many nodes and edges as the API gave, the
  // test's flow among them, and a canvas that is not blank
  await open('#/graph', '#cy[data-rendered=true]');
  const api = await page.evaluate(async () => (await fetch('/api/v1/graph', { headers: { Authorization: `Bearer ${sessionStorage.getItem('comb.token')}` } })).json());
  const drawn = await page.evaluate(() => ({ nodes: window.combGraph.cy.nodes().length, edges: window.combGraph.cy.edges().length }));
  check(drawn.nodes === api.nodes.length && drawn.edges === api.edges.length && drawn.nodes > 0,
    `graph: ${drawn.nodes} nodes and ${drawn.edges} edges drawn (API: ${api.nodes.length}, ${api.edges.length})`);
  for (const f of want.flows) {
    const n = await page.evaluate((f) => window.combGraph.cy.edges(`[type = "flow"][source = "w:${f.node}:${f.src}"][target = "w:${f.node}:${f.dst}"]`).length, f);
    check(n === 1, `graph: flow ${f.src} → ${f.dst} on ${f.node}`);
  }
  for (const n of want.nodes)
    for (const c of want.containers) {
      const e = await page.evaluate(([n, c]) => window.combGraph.cy.edges(`[type = "runs"][target = "w:${n}:${c}"]`).length, [n, c.name]);
      check(e === 1, `graph: image → ${c.name} on ${n}`);
    }
  check(await paintedPixels(page, '#cy') > 500, 'graph: the canvas is not blank');
  await shot('graph-overview');
  const web = `w:${want.nodes[0]}:${want.containers[0].name}`;
  await page.evaluate((id) => window.combGraph.cy.getElementById(id).emit('tap'), web);
  const panel = await text('#graph-detail');
  check(panel.includes(want.containers[0].name) && panel.includes(want.containers[1].name),
    `graph: a click on ${want.containers[0].name} shows its detail and its flow to ${want.containers[1].name}: "${panel.slice(0, 120)}"`);
  await page.click('#graph-search');
  await page.keyboard.type(want.containers[0].name);
  await shot('graph');

  // a big graph (more than 3,000 edges): an operator posts the segmentation
  // graph of a third node, 1,600 workloads with 2 flows each; its flows are
  // drawn on the flow layer, not as Cytoscape edges
  const BIG = 1600;
  const posted = await page.evaluate(async ([token, n]) => {
    const names = Array.from({ length: n }, (_, i) => `big-${i}`);
    const seg = { groups: names.map((name) => ({ name, kind: 'container', mode: 'learn' })),
      flows: names.flatMap((name, i) => [1, 2].map((k) => ({ src: name, dst: names[(i + k) % n], proto: 'tcp', port: 8080 + k, count: 1 }))) };
    return (await fetch('/api/v1/nodes/node-big/segmentation', { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(seg) })).status;
  }, [OP_TOKEN, BIG]);
  check(posted === 201, `big graph: segmentation of node-big posted (HTTP ${posted})`);
  await open('?big#/graph', '#cy[data-rendered=true]'); // a new document: not the last graph's
  const bigApi = await page.evaluate(async () => (await fetch('/api/v1/graph', { headers: { Authorization: `Bearer ${sessionStorage.getItem('comb.token')}` } })).json());
  const bigDrawn = await page.evaluate(() => ({ nodes: window.combGraph.cy.nodes().length, edges: window.combGraph.cy.edges().length, layer: window.combGraph.layerFlows }));
  const apiFlows = bigApi.edges.filter((e) => e.type === 'flow').length;
  check(bigApi.edges.length > 3000 && bigDrawn.nodes === bigApi.nodes.length && bigDrawn.layer === apiFlows && apiFlows >= 2 * BIG && bigDrawn.edges === 0,
    `big graph: ${bigDrawn.nodes} nodes, ${bigDrawn.layer} flows on the flow layer, ${bigDrawn.edges} Cytoscape edges (API: ${bigApi.nodes.length} nodes, ${apiFlows} flows)`);
  const layerPixels = await paintedPixels(page, '#cy', '.flow-layer');
  check(layerPixels > 500, `big graph: the flow layer is not blank (${layerPixels} pixels)`);
  check(await paintedPixels(page, '#cy') > layerPixels + 500, 'big graph: the nodes are drawn too');
  await page.evaluate(() => window.combGraph.cy.getElementById('w:node-big:big-5').emit('tap'));
  const bigPanel = await text('#graph-detail');
  check(/Flows \(4\)/.test(bigPanel) && ['big-3 → big-5', 'big-4 → big-5', 'big-5 → big-6', 'big-5 → big-7'].every((f) => bigPanel.includes(f)),
    `big graph: a click on big-5 lists its 4 flows: "${bigPanel.slice(0, 160)}"`);
  const image = await page.evaluate(() => { const i = window.combGraph.cy.nodes('[type = "image"]')[0]; i.emit('tap'); return i.id(); });
  const runs = await page.evaluate(() => window.combGraph.cy.edges('[type = "runs"]').length);
  const apiRuns = bigApi.edges.filter((e) => e.type === 'runs' && e.source === image).length;
  check(runs === apiRuns && runs > 0, `big graph: a click on an image draws its ${runs} image → container edges (API: ${apiRuns})`);
  await shot('graph-big');

  // an invalid (or expired) token sends the console back to the login form
  await page.evaluate(() => sessionStorage.setItem('comb.token', '0'.repeat(64)));
  await page.goto(`${BASE}/#/assets`);
  await page.waitForSelector('#login', { timeout: 30000 });
  check(/expired/.test(await text('#login-error')), `invalid token: back to login ("${await text('#login-error')}")`);
  check((await token()) === null, 'invalid token: dropped');
  await shot('session-expired');
  check(consoleErrors.length === 0, `no script or console errors${consoleErrors.length ? ': ' + consoleErrors.join('; ') : ''}`);
} catch (e) {
  check(false, `browser: ${e.message}`);
  await shot('failure').catch(() => {});
} finally {
  await context.close();
}
process.exit(failures ? 1 : 0);
