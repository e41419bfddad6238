// Graph: hosts, workloads and images with their edges (image → container,
// host → workload, workload → workload flows), drawn by Cytoscape on a
// canvas. It stays usable with thousands of nodes: positions are computed
// here in one pass (a grid per host, no force layout), nothing is
// animated, labels vanish when zoomed out, and a big graph's flows are
// drawn on a canvas of their own under Cytoscape's (see flowLayer).
import cytoscape from 'cytoscape';
import { get } from '../api.js';
import { h, kv, shortId } from '../dom.js';

const SPACING = 70;
const COLORS = { host: '#18202e', workload: '#2457c5', image: '#e39a1c', external: '#9aa5b5' };

// One cluster per host (its workloads and the groups of its flows), one for
// images; each a square grid, clusters side by side.
function positions(nodes) {
  // returns the positions and their bounding box
  const clusters = new Map();
  for (const n of nodes) {
    const key = n.type === 'image' ? ' images' : n.node || ' other';
    if (!clusters.has(key)) clusters.set(key, []);
    clusters.get(key).push(n);
  }
  const pos = new Map();
  let x0 = 0;
  let ymax = 0;
  for (const members of clusters.values()) {
    members.sort((a, b) => (a.type === 'host' ? -1 : b.type === 'host' ? 1 : 0));
    const cols = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((n, i) => pos.set(n.id, { x: x0 + (i % cols) * SPACING, y: Math.floor(i / cols) * SPACING }));
    ymax = Math.max(ymax, Math.floor((members.length - 1) / cols) * SPACING);
    x0 += (cols + 3) * SPACING;
  }
  return { pos, box: { x1: 0, y1: 0, x2: Math.max(0, x0 - 3 * SPACING - SPACING), y2: ymax } };
}

// Plain selectors and constants only (a function per element would defeat
// Cytoscape's style cache). Big graphs get straight "haystack" edges with no
// arrows, the cheapest to draw.
const style = (big) => [
  { selector: 'node', style: { 'background-color': COLORS.workload, width: 22, height: 22 } },
  // a big graph labels only the nodes in view once zoomed in (see labelInView);
  // the fewer properties each element has, the faster thousands are styled
  { selector: big ? 'node.labeled, node.match, node:selected' : 'node',
    style: { label: 'data(label)', 'font-size': 10, 'min-zoomed-font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 3, color: '#1d2430' } },
  { selector: 'node[type = "host"]', style: { shape: 'round-rectangle', width: 34, height: 34, 'background-color': COLORS.host } },
  { selector: 'node[type = "image"]', style: { shape: 'diamond', 'background-color': COLORS.image } },
  { selector: 'node[type = "external"]', style: { 'background-color': COLORS.external } },
  { selector: 'edge', style: { width: 1, 'line-color': '#b9c2cf', 'curve-style': 'haystack' } },
  { selector: 'edge[type = "flow"]', style: big ? { 'line-color': '#2457c5' }
    : { 'line-color': '#2457c5', width: 1.5, 'curve-style': 'straight', 'target-arrow-shape': 'triangle', 'target-arrow-color': '#2457c5', 'arrow-scale': 0.7 } },
  { selector: 'edge[type = "runs"]', style: { 'line-color': '#e3b35a' } },
  { selector: '.match', style: { 'border-width': 4, 'border-color': '#d1361f' } },
  { selector: '.faded', style: { opacity: 0.15 } },
  { selector: ':selected', style: { 'border-width': 4, 'border-color': '#2e8b57' } },
];

// Labels of a big graph: only for the nodes in view, and only once zoomed
// in enough to read them (at most LABELS_MAX at a time).
const LABELS_MAX = 400;
// Up to this many nodes the graph is laid out by force (cose), not in grids.
const SMALL_GRAPH = 300;
function labelInView(cy) {
  const labeled = cy.nodes('.labeled');
  if (cy.zoom() < 0.5) {
    labeled.removeClass('labeled');
    return;
  }
  const { x1, x2, y1, y2 } = cy.extent();
  const inView = cy.nodes().filter((n) => {
    const p = n.position();
    return p.x >= x1 && p.x <= x2 && p.y >= y1 && p.y <= y2;
  });
  cy.batch(() => {
    labeled.difference(inView).removeClass('labeled');
    if (inView.length <= LABELS_MAX) inView.addClass('labeled');
  });
}

// The flows of a big graph: ten thousand Cytoscape edges would cost more
// than the rest of the first frame (each is styled, measured and cached as
// a texture), so they are straight lines on a canvas under Cytoscape's,
// one path redrawn (those in view) when the viewport changes or a node is
// dragged. Returns the number of flows it draws.
function flowLayer(cy, container, flows) {
  const canvas = h('canvas', { class: 'flow-layer' });
  container.prepend(canvas); // before Cytoscape's own: painted under it
  const ends = [];
  for (const f of flows) {
    const s = cy.getElementById(f.source), t = cy.getElementById(f.target);
    if (s.nonempty() && t.nonempty()) ends.push(s, t);
  }
  let queued = false;
  const draw = () => {
    queued = false;
    const w = container.clientWidth, ht = container.clientHeight;
    if (canvas.width !== w || canvas.height !== ht) {
      canvas.width = w;
      canvas.height = ht;
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, ht);
    const z = cy.zoom(), p = cy.pan();
    const { x1, x2, y1, y2 } = cy.extent();
    ctx.setTransform(z, 0, 0, z, p.x, p.y);
    ctx.beginPath();
    for (let i = 0; i < ends.length; i += 2) {
      const a = ends[i].position(), b = ends[i + 1].position();
      // a line with both ends beyond the same side of the view is not in it
      if ((a.x < x1 && b.x < x1) || (a.x > x2 && b.x > x2) || (a.y < y1 && b.y < y1) || (a.y > y2 && b.y > y2)) continue;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
    ctx.lineWidth = 1;
    ctx.strokeStyle = COLORS.workload;
    ctx.stroke();
  };
  const redraw = () => {
    if (!queued) {
      queued = true;
      requestAnimationFrame(draw);
    }
  };
  cy.on('viewport resize', redraw);
  cy.on('position', 'node', redraw);
  draw();
  return ends.length / 2;
}

// flowData: the node's flows, as the API's edges ({ source, target, label });
// degree: its edges, flows included
function detail(panel, node, flowData, degree) {
  const d = node.data();
  const label = (id) => node.cy().getElementById(id).data('label');
  const flows = flowData.map((e) => `${label(e.source)} → ${label(e.target)} ${e.label || ''}`);
  panel.replaceChildren(h('div', {}, h('h3', {}, d.label),
    kv([['type', d.type], ['node', d.node], ['id', d.ref ? h('span', { class: 'mono' }, shortId(d.ref)) : ''], ['edges', degree]]),
    d.type === 'workload' && d.ref ? h('p', {}, h('a', { href: `#/assets/${encodeURIComponent(d.ref)}` }, 'asset detail')) : null,
    d.type === 'image' && d.ref ? h('p', {}, h('a', { href: `#/vulnerabilities/${encodeURIComponent(d.ref)}` }, 'vulnerabilities')) : null,
    flows.length ? [h('h3', {}, `Flows (${flows.length})`), h('ul', {}, flows.slice(0, 50).map((f) => h('li', {}, f)))] : null));
}

export async function graph() {
  const fetched = performance.now();
  const data = await get('graph');
  const { pos, box } = positions(data.nodes);
  const container = h('div', { id: 'cy' });
  const panel = h('div', { class: 'card', id: 'graph-detail' }, h('p', { class: 'muted' }, 'Click a node for its detail.'));
  const search = h('input', { type: 'search', id: 'graph-search', placeholder: 'search nodes by name' });
  const kind = h('select', { id: 'graph-kind' }, ['all', 'host', 'workload', 'image', 'external'].map((k) => h('option', { value: k }, k)));
  const stats = h('span', { class: 'muted', id: 'graph-stats' }, `${data.nodes.length} nodes, ${data.edges.length} edges`);
  const page = h('section', { id: 'page-graph' }, h('h1', {}, 'Relationship graph'),
    h('div', { class: 'toolbar' }, search, kind, stats), h('div', { class: 'graph-wrap' }, container, panel));
  // Cytoscape needs the container in the document to measure it
  page.mount = () => {
    // A big graph draws the flows only, on a layer of their own (flowLayer):
    // host → workload edges are left out (the layout groups each host's
    // workloads already) and image → container edges are drawn for the
    // image or workload clicked (thousands of them would bury the flows, and
    // double the first frame's cost).
    const big = data.edges.length > 3000;
    const edges = big ? [] : data.edges;
    const flows = big ? data.edges.filter((e) => e.type === 'flow') : [];
    const runsOf = new Map(); // node id -> its image → container edges, for a big graph
    const flowsOf = new Map(); // node id -> its flows, for a big graph
    const index = (map, end, value) => {
      if (!map.has(end)) map.set(end, []);
      map.get(end).push(value);
    };
    if (big)
      data.edges.forEach((e, i) => {
        if (e.type === 'runs') for (const end of [e.source, e.target]) index(runsOf, end, { group: 'edges', data: { id: `r${i}`, ...e } });
        else if (e.type === 'flow') for (const end of new Set([e.source, e.target])) index(flowsOf, end, e);
      });
    const nodes = data.nodes.map((n) => ({ group: 'nodes', data: n, position: pos.get(n.id) }));
    const loaded = performance.now();
    // the viewport from the known extent of the positions: no bounding box
    // of thousands of labels to compute
    const w = container.clientWidth || 800, ht = container.clientHeight || 600, pad = 40;
    const zoom = Math.min(2, (w - 2 * pad) / Math.max(1, box.x2 - box.x1), (ht - 2 * pad) / Math.max(1, box.y2 - box.y1));
    const pan = { x: (w - zoom * (box.x1 + box.x2)) / 2, y: (ht - zoom * (box.y1 + box.y2)) / 2 };
    const cy = cytoscape({ container, elements: nodes, style: style(big), layout: { name: 'preset', fit: false }, zoom, pan,
      textureOnViewport: true, hideEdgesOnViewport: true, motionBlur: false, pixelRatio: 1, minZoom: 0.02, maxZoom: 4 });
    // edges after the nodes have their style: styling a node then dirties
    // no edge (which costs much with thousands of them)
    cy.add(edges.map((e, i) => ({ group: 'edges', data: { id: `e${i}`, ...e } })));
    // a small graph (a few hosts) reads better laid out by its edges:
    // Cytoscape's own force-directed layout, run once, without animation
    if (data.nodes.length <= SMALL_GRAPH)
      cy.layout({ name: 'cose', animate: false, fit: true, padding: 40, randomize: false, nodeDimensionsIncludeLabels: true }).run();
    const layerFlows = big ? flowLayer(cy, container, flows) : 0;
    // for the test and the benchmark: the library, the flows drawn on the
    // flow layer, and when each step ended
    window.combGraph = { cy, layerFlows, fetchStart: fetched, loaded, created: performance.now(), rendered: null };
    cy.one('render', () => requestAnimationFrame(() => {
      window.combGraph.rendered = performance.now();
      container.dataset.rendered = 'true';
    }));
    cy.on('tap', 'node', (ev) => {
      if (big) {
        cy.remove('edge[type = "runs"]');
        cy.add(runsOf.get(ev.target.id()) || []);
      }
      const n = ev.target;
      if (big) detail(panel, n, flowsOf.get(n.id()) || [], n.degree() + (flowsOf.get(n.id()) || []).length);
      else detail(panel, n, n.connectedEdges('[type = "flow"]').map((e) => e.data()), n.degree());
    });
    if (big) {
      let timer = null;
      cy.on('viewport', () => { clearTimeout(timer); timer = setTimeout(() => labelInView(cy), 150); });
    }
    const apply = () => {
      const q = search.value.trim().toLowerCase();
      const k = kind.value;
      cy.batch(() => {
        cy.elements().removeClass('match faded');
        if (k !== 'all') cy.nodes().filter((n) => n.data('type') !== k).addClass('faded');
        if (q) {
          const hits = cy.nodes().filter((n) => String(n.data('label')).toLowerCase().includes(q));
          hits.addClass('match');
          cy.nodes().not(hits).addClass('faded');
          if (hits.length) cy.fit(hits, 60);
        }
      });
    };
    search.addEventListener('input', apply);
    kind.addEventListener('change', apply);
    page.unmount = () => cy.destroy();
  };
  return page;
}
