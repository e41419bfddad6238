// Compliance: each node's newest bench report - a chart per section
// (checks by status) and the failed or manual checks with their fixes.
import { get } from '../api.js';
import { STATUS_COLORS, STATUSES, stackedBars } from '../charts.js';
import { h, kv, when } from '../dom.js';

function sectionChart(node) {
  const sections = node.sections.filter((s) => STATUSES.some((st) => s.counts[st]));
  return stackedBars(`checks by section on ${node.node}`, sections.map((s) => s.section),
    STATUSES.map((st, i) => ({ label: st, color: STATUS_COLORS[i], data: sections.map((s) => s.counts[st] || 0) })));
}

function fixes(node) {
  return h('ul', { class: 'fixes' }, node.results.map((r) => h('li', { 'data-check': r.id },
    h('span', { class: `st-${r.status}` }, r.status), ' ', h('strong', {}, r.id), ' ', r.title,
    r.target ? h('span', { class: 'muted' }, ` (${typeof r.target === 'string' ? r.target : JSON.stringify(r.target)})`) : null,
    r.reason ? h('div', { class: 'muted' }, r.reason) : null,
    r.remediation ? h('pre', { class: 'fix' }, r.remediation) : null)));
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
      sectionChart(n),
      h('h2', {}, `Failed and manual checks, with their fixes (${n.results.length})`),
      fixes(n))));
}
