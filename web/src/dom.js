// dom.js - building elements without innerHTML: every value from the API
// becomes a text node, so no record can inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function table(columns, rows, rowFn) {
  return h('table', {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, rowFn(r).map((cell) => cell instanceof Node && cell.tagName === 'TD' ? cell : h('td', {}, cell))))));
}

// A search box that hides the rows of table not containing its text.
export function rowFilter(placeholder, id, tableEl) {
  const input = h('input', { type: 'search', placeholder, id });
  input.addEventListener('input', () => {
    const q = input.value.toLowerCase();
    for (const tr of tableEl.tBodies[0].rows) tr.hidden = q && !tr.textContent.toLowerCase().includes(q);
  });
  return input;
}

export function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export const shortId = (id) => (id || '').slice(0, 12);
export const when = (s) => (s ? new Date(typeof s === 'number' ? s * 1000 : s).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
