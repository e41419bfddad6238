// Compliance: each node's newest bench report - a chart per section
// (checks by status) and the failed or manual checks with their fixes.
import { get } from '../api.js';
import { STATUS_COLORS, STATUSES, doughnut } from '../charts.js';
import { h, kv, when } from '../dom.js';

// A chart per section (checks by status), in a grid under the legend.
function sectionCharts(node) {
  const sections = node.sections.filter((s) => STATUSES.some((st) => s.counts[st]));
  return [
    h('p', { class: 'legend' }, STATUSES.map((st, i) => h('span', { class: 'swatch', 'data-color': i }, st))),
    h('div', { class: 'section-charts' }, sections.map((s) => h('div', { class: 'section-chart', 'data-section': s.section },
      h('h4', {}, s.section),
      doughnut(`${s.section} on ${node.node}`, STATUSES, STATUSES.map((st) => s.counts[st] || 0), STATUS_COLORS, { mini: true }),
      h('div', { class: 'muted' }, STATUSES.filter((st) => s.counts[st]).map((st) => `${st} ${s.counts[st]}`).join(', '))))),
  ];
}

// One line per check; its reason and fix open on a click (a report has dozens).
function fixes(node) {
  return h('ul', { class: 'fixes' }, node.results.map((r) => h('li', { 'data-check': r.id },
    h('details', {},
      h('summary', {}, h('span', { class: `st-${r.status}` }, r.status), ' ', h('strong', {}, r.id), ' ', r.title,
        r.target ? h('span', { class: 'muted' }, ` (${typeof r.target === 'string' ? r.target : JSON.stringify(r.target)})`) : null),
      r.reason ? h('div', { class: 'muted' }, r.reason) : null,
      r.remediation ? h('pre', { class: 'fix' }, r.remediation) : null))));
}

export async function compliance() {
  const { nodes } = await get('compliance');
  return h('section', { id: 'page-compliance' },
    h('h1', {}, 'Compliance'),
    nodes.length === 0 ? h('p', { class: 'muted' }, 'No bench report yet.') : nodes.map((n) => h('div', { class: 'card bench', 'data-node': n.node },
      h('h3', {}, n.node),
      kv([['score', n.score], ['run', n.started || when(n.received)],
        ['checks', STATUSES.concat('NOT-APPLICABLE').map((s) => `${s} ${(n.counts || {})[s] || 0}`).join(', ')]]),
      h('h2', {}, 'Checks by section'),
      sectionCharts(n),
      h('h2', {}, `Failed and manual checks, with their fixes (${n.results.length})`),
      fixes(n))));
}
