// bench_graph.mjs - time the console's graph page in Chromium (for
// bench/console_graph.sh): from navigation start to the first frame after
// Cytoscape rendered the graph, RUNS times, each in a new page. Prints one
// line of JSON: the times in ms and the graph's size.
import { launch, logIn } from './browser.mjs';

const { BASE, USER, PASSWORD } = process.env;
const RUNS = Number(process.env.RUNS || 5);
const context = await launch();
const login = await context.newPage();
await logIn(login, BASE, USER, PASSWORD);
const token = await login.evaluate(() => sessionStorage.getItem('comb.token'));
await login.close();
const times = [];
const steps = [];
let size = null;
for (let i = 0; i < RUNS; i++) {
  const page = await context.newPage();
  await page.addInitScript((t) => { sessionStorage.setItem('comb.token', t); sessionStorage.setItem('comb.token.user', 'bench'); }, token);
  await page.goto(`${BASE}/#/graph`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.waitForFunction(() => window.combGraph && window.combGraph.rendered, null, { timeout: 120000, polling: 50 });
  // performance.now() counts from the navigation's start
  const g = await page.evaluate(() => { const { fetchStart, loaded, created, rendered } = window.combGraph; return { fetchStart, loaded, created, rendered }; });
  // the renderer's main-thread CPU time since it started (a fresh renderer
  // for this navigation): what the page cost, apart from waiting for a CPU
  const { metrics } = await cdp.send('Performance.getMetrics');
  g.cpu = 1000 * (metrics.find((m) => m.name === 'ThreadTime') || { value: NaN }).value;
  times.push(g.rendered);
  steps.push(g);
  // edges: Cytoscape's and those on the flow layer (a big graph's flows)
  size = await page.evaluate(() => ({ nodes: window.combGraph.cy.nodes().length,
    edges: window.combGraph.cy.edges().length + window.combGraph.layerFlows, layerFlows: window.combGraph.layerFlows,
    workloads: window.combGraph.cy.nodes('[type = "workload"]').length,
    // a click on an image draws its image → container edges
    imageEdgesOnClick: (() => { const cy = window.combGraph.cy; cy.nodes('[type = "image"]')[0].emit('tap'); return cy.edges('[type = "runs"]').length; })() }));
  await page.close();
}
await context.close();
console.log(JSON.stringify({ times, steps, ...size }));
