// Alerts: the runtime alerts of every node on one timeline, newest first,
// each with the responses taken (comb watch's outcome lines).
import { get } from '../api.js';
import { h, shortId } from '../dom.js';

export async function alerts() {
  const { alerts: list } = await get('alerts');
  list.sort((a, b) => String(b.time || '').localeCompare(String(a.time || '')));
  const nodes = [...new Set(list.map((a) => a.node))];
  const pick = h('select', { id: 'alert-node' }, h('option', { value: '' }, 'all nodes'), nodes.map((n) => h('option', { value: n }, n)));
  const items = list.map((a) => h('li', { class: `prio-${a.priority}`, 'data-node': a.node },
    h('div', {}, h('strong', {}, a.rule || '(no rule)'), ' ', h('span', { class: 'badge' }, a.priority), ' ',
      h('span', { class: 'muted' }, `${a.time || ''} on ${a.node}${a.container ? `, container ${shortId(a.container)}` : ''}${a.process ? `, ${a.process}` : ''}`)),
    a.output ? h('div', { class: 'mono' }, a.output) : null,
    a.responses.length === 0 ? h('div', { class: 'response muted' }, 'no response taken') :
      a.responses.map((r) => h('div', { class: `response ${r.outcome === 'ok' ? 'ok' : 'failed'}` },
        `response: ${r.response} → ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`))));
  pick.addEventListener('change', () => { for (const li of items) li.hidden = pick.value && li.dataset.node !== pick.value; });
  return h('section', { id: 'page-alerts' },
    h('h1', {}, `Runtime alerts (${list.length})`),
    h('div', { class: 'toolbar' }, pick),
    list.length === 0 ? h('p', { class: 'muted' }, 'No alerts.') : h('ol', { class: 'timeline' }, items));
}
