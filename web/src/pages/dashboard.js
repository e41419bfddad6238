// Dashboard: risk across nodes - vulnerabilities by severity, compliance
// and alerts per node, one card per node.
import { get } from '../api.js';
import { SEVERITIES, SEVERITY_COLORS, STATUS_COLORS, STATUSES, doughnut, stackedBars } from '../charts.js';
import { h, kv, when } from '../dom.js';

export async function dashboard() {
  const { nodes } = await get('overview');
  const names = nodes.map((n) => n.node);
  const count = (o, k) => (o && o[k]) || 0;
  return h('section', { id: 'page-dashboard' },
    h('h1', {}, 'Risk across nodes'),
    nodes.length === 0 ? h('p', { class: 'muted' }, 'No node has sent anything yet.') : [
      h('div', { class: 'cards' },
        h('div', { class: 'card' }, h('h3', {}, 'Vulnerabilities by node'),
          stackedBars('vulnerabilities by node and severity', names,
            SEVERITIES.map((s, i) => ({ label: s, color: SEVERITY_COLORS[i], data: nodes.map((n) => count(n.vulnerabilities, s)) })))),
        h('div', { class: 'card' }, h('h3', {}, 'Compliance by node'),
          stackedBars('compliance checks by node and status', names,
            STATUSES.map((s, i) => ({ label: s, color: STATUS_COLORS[i], data: nodes.map((n) => count(n.compliance, s)) })))),
        h('div', { class: 'card' }, h('h3', {}, 'Runtime alerts by node'),
          doughnut('alerts by node', names, nodes.map((n) => n.alerts.alerts), ['#d1361f', '#3b82c4', '#e39a1c', '#2e8b57', '#6b3fa0']))),
      h('h2', {}, 'Nodes'),
      h('div', { class: 'cards' }, nodes.map((n) => h('div', { class: 'card node-card', 'data-node': n.node },
        h('h3', {}, h('a', { href: `#/assets/${encodeURIComponent(n.node)}` }, n.node)),
        kv([
          ['host', n.hostname], ['OS', n.os], ['inventory', when(n.inventory_received)],
          ['containers', `${n.containers} (${n.running} running, ${n.privileged} privileged)`],
          ['images', `${n.images} (${n.scanned_images} scanned)`],
          ['vulnerabilities', SEVERITIES.filter((s) => count(n.vulnerabilities, s)).map((s) => h('span', { class: `badge sev-${s}` }, `${s} ${n.vulnerabilities[s]}`))],
          ['compliance', n.compliance ? `score ${n.compliance_score ?? '?'}: ${count(n.compliance, 'FAIL')} failed, ${count(n.compliance, 'PASS')} passed` : 'no bench report'],
          ['alerts', `${n.alerts.alerts} alerts, ${n.alerts.responses} responses`],
        ])))),
    ]);
}
