// Assets: hosts, containers and images of every node; one asset's detail
// (a host, a container with its processes and ports, or an image).
import { get } from '../api.js';
import { SEVERITIES } from '../charts.js';
import { h, kv, rowFilter, shortId, table, when } from '../dom.js';

const link = (id, text) => h('a', { href: `#/assets/${encodeURIComponent(id)}` }, text);

export function severityBadges(v) {
  if (!v) return h('span', { class: 'muted' }, 'not scanned');
  const parts = SEVERITIES.filter((s) => v[s]).map((s) => h('span', { class: `badge sev-${s}` }, `${s} ${v[s]}`));
  return parts.length ? parts : h('span', { class: 'muted' }, 'none');
}

export async function assets() {
  const a = await get('assets');
  const containers = table(['node', 'name', 'id', 'image', 'state', 'privileged', 'ports', 'processes'], a.containers, (c) => [
    c.node, link(c.id, c.name || shortId(c.id)), h('td', { class: 'mono' }, shortId(c.id)), c.image, c.state,
    c.privileged ? h('span', { class: 'badge bad' }, 'privileged') : 'no', c.ports, c.processes]);
  containers.id = 'containers';
  const filter = rowFilter('filter by name, id, image, node', 'asset-filter', containers);
  return h('section', { id: 'page-assets' },
    h('h1', {}, 'Assets'),
    h('h2', {}, `Hosts (${a.hosts.length})`),
    table(['node', 'host', 'OS', 'kernel', 'engines', 'inventory collected'], a.hosts, (x) => [
      link(x.node, x.node), x.hostname, x.os, x.kernel, (x.engines || []).join(', '), x.collected || 'no inventory']),
    h('h2', {}, `Containers (${a.containers.length})`),
    h('div', { class: 'toolbar' }, filter),
    containers,
    h('h2', {}, `Images (${a.images.length})`),
    table(['node', 'tags', 'id', 'created', 'vulnerabilities'], a.images, (i) => [
      i.node, link(i.id, (i.tags || []).join(', ') || shortId(i.id)), h('td', { class: 'mono' }, shortId(i.id)), when(i.created),
      i.vulnerabilities ? h('a', { href: `#/vulnerabilities/${i.id}` }, severityBadges(i.vulnerabilities)) : severityBadges(null)]));
}

function containerDetail(d) {
  const c = d.container;
  return [
    h('h1', {}, `Container ${c.name || shortId(c.id)}`),
    kv([['node', d.node], ['id', h('span', { class: 'mono' }, c.id)], ['engine', c.engine], ['state', c.state],
      ['image', c.image && c.image.id ? link(c.image.id, c.image.name || shortId(c.image.id)) : ''],
      ['command', (c.command || []).join(' ')], ['privileged', c.privileged ? 'yes' : 'no'],
      ['capabilities', (c.capabilities || []).join(', ')], ['started', c.started], ['pid', c.pid],
      ['addresses', ((c.network || {}).addresses || []).join(', ')]]),
    h('h2', {}, 'Processes'),
    table(['pid', 'ppid', 'uid', 'command line', 'executable'], c.processes || [], (p) => [p.pid, p.ppid, p.uid, (p.cmdline || []).join(' '), p.exe]),
    h('h2', {}, 'Listening ports'),
    table(['protocol', 'address', 'port', 'process'], c.ports || [], (p) => [p.protocol, p.address, p.port, p.process]),
    h('h2', {}, 'Mounts'),
    table(['source', 'destination', 'kind', 'rw'], c.mounts || [], (m) => [m.source, m.destination, m.kind, m.rw ? 'rw' : 'ro']),
  ];
}

function imageDetail(d) {
  const i = d.image;
  return [
    h('h1', {}, `Image ${(i.tags || [])[0] || shortId(i.id)}`),
    kv([['node', d.node], ['id', h('span', { class: 'mono' }, i.id)], ['tags', (i.tags || []).join(', ')], ['created', i.created],
      ['layers', i.layers], ['vulnerabilities', h('a', { href: `#/vulnerabilities/${i.id}` }, 'findings of its newest scan')]]),
    h('h2', {}, 'Containers of this image'),
    table(['name', 'id', 'state'], d.containers, (c) => [link(c.id, c.name), h('td', { class: 'mono' }, shortId(c.id)), c.state]),
  ];
}

function hostDetail(d) {
  const x = d.host || {};
  return [
    h('h1', {}, `Host ${d.node}`),
    kv([['host name', x.hostname], ['OS', x.os], ['kernel', x.kernel], ['arch', x.arch], ['engines', (x.engines || []).join(', ')],
      ['inventory received', when(d.received)]]),
    (d.warnings || []).length ? [h('h2', {}, 'Inventory warnings'), h('ul', {}, d.warnings.map((w) => h('li', {}, w)))] : [],
  ];
}

export async function asset(id) {
  const d = await get(`assets/${encodeURIComponent(id)}`);
  const body = d.type === 'container' ? containerDetail(d) : d.type === 'image' ? imageDetail(d) : hostDetail(d);
  return h('section', { id: 'page-asset', 'data-type': d.type }, h('p', {}, h('a', { href: '#/assets' }, '← all assets')), body);
}
