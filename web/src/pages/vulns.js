// Vulnerabilities: every scanned image with its counts by severity, and
// one image's findings.
import { get } from '../api.js';
import { SEVERITIES, SEVERITY_COLORS, doughnut } from '../charts.js';
import { h, kv, rowFilter, shortId, table, when } from '../dom.js';
import { severityBadges } from './assets.js';

export async function images() {
  const list = await get('images');
  return h('section', { id: 'page-vulnerabilities' },
    h('h1', {}, 'Vulnerabilities per image'),
    list.length === 0 ? h('p', { class: 'muted' }, 'No scan results yet.') :
      table(['image', 'node', 'id', 'scanned', 'findings', 'by severity'], list, (i) => [
        h('a', { href: `#/vulnerabilities/${encodeURIComponent(i.id)}` }, (i.tags || [])[0] || i.name || shortId(i.id)), i.node,
        h('td', { class: 'mono' }, shortId(i.id)), when(i.received), i.findings, severityBadges(i.vulnerabilities)]));
}

export async function imageVulns(id) {
  const d = await get(`images/${encodeURIComponent(id)}/vulnerabilities`);
  const rows = table(['id', 'severity', 'package', 'installed', 'fixed in', 'title'], d.findings, (f) => [
    f.url ? h('a', { href: f.url, rel: 'noopener noreferrer', target: '_blank' }, f.id) : f.id,
    h('td', { class: `sev-${f.severity}` }, f.severity), `${f.package || ''}${f.found_in ? ` (${f.found_in})` : ''}`, f.version,
    (f.fixed_versions || []).join(', ') || 'no fix', [f.title, (f.aliases || []).length ? h('div', { class: 'muted' }, f.aliases.join(', ')) : null]]);
  rows.id = 'findings';
  const filter = rowFilter('filter by id, package, title', 'vuln-filter', rows);
  return h('section', { id: 'page-image-vulns' },
    h('p', {}, h('a', { href: '#/vulnerabilities' }, '← all images')),
    h('h1', {}, `Vulnerabilities of ${(d.tags || [])[0] || d.name || shortId(d.id)}`),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, kv([['node', d.node], ['image id', h('span', { class: 'mono' }, d.id)], ['scanned', when(d.received)], ['findings', d.findings.length]])),
      h('div', { class: 'card' }, doughnut('findings by severity', SEVERITIES, SEVERITIES.map((s) => d.vulnerabilities[s] || 0), SEVERITY_COLORS))),
    h('div', { class: 'toolbar' }, filter),
    rows);
}
