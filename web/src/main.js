// main.js - the console's shell: log in, then one page per hash route
// (#/dashboard, #/assets[/ID], #/graph, #/vulnerabilities[/ID],
// #/compliance, #/alerts). Read-only: nothing here writes.
import { AuthError, login, session } from './api.js';
import { destroyCharts } from './charts.js';
import { h } from './dom.js';
import { alerts } from './pages/alerts.js';
import { asset, assets } from './pages/assets.js';
import { compliance } from './pages/compliance.js';
import { dashboard } from './pages/dashboard.js';
import { graph } from './pages/graph.js';
import { imageVulns, images } from './pages/vulns.js';

const routes = [
  [/^#\/dashboard$/, dashboard],
  [/^#\/assets$/, assets],
  [/^#\/assets\/(.+)$/, asset],
  [/^#\/graph$/, graph],
  [/^#\/vulnerabilities$/, images],
  [/^#\/vulnerabilities\/(.+)$/, imageVulns],
  [/^#\/compliance$/, compliance],
  [/^#\/alerts$/, alerts],
];

const main = () => document.getElementById('main');
let current = null;
let loginMessage = '';

// Show the page of hash (a hashchange renders it, unless it is already there).
function go(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function loginPage() {
  document.body.classList.add('anonymous');
  const user = h('input', { id: 'user', name: 'user', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const error = h('p', { class: 'error', id: 'login-error', role: 'alert' }, loginMessage);
  const form = h('form', { class: 'login', id: 'login' },
    h('h1', {}, 'comb console'), h('label', { for: 'user' }, 'User'), user, h('label', { for: 'password' }, 'Password'), password,
    error, h('button', { type: 'submit' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    try {
      await login(user.value, password.value);
      loginMessage = '';
      go('#/dashboard');
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return form;
}

async function render() {
  if (current && current.unmount) current.unmount();
  destroyCharts();
  current = null;
  const hash = location.hash || '#/dashboard';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', hash.startsWith(a.getAttribute('href')));
  if (!session.token || hash === '#/login') {
    main().replaceChildren(loginPage());
    return;
  }
  document.body.classList.remove('anonymous');
  document.getElementById('who').textContent = session.user || '';
  const route = routes.find(([re]) => re.test(hash));
  if (!route) {
    go('#/dashboard');
    return;
  }
  const arg = decodeURIComponent((hash.match(route[0])[1]) || '');
  main().replaceChildren(h('p', { class: 'muted', id: 'loading' }, 'Loading…'));
  try {
    const page = await route[1](arg);
    if (location.hash && location.hash !== hash) return; // navigated away meanwhile
    main().replaceChildren(page);
    current = page;
    if (page.mount) page.mount();
  } catch (e) {
    if (e instanceof AuthError) {
      loginMessage = e.message;
      go('#/login');
      return;
    }
    main().replaceChildren(h('p', { class: 'error', id: 'page-error' }, e.message));
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('logout').addEventListener('click', () => {
    session.clear();
    loginMessage = '';
    go('#/login');
  });
  window.addEventListener('hashchange', render);
  render();
});
