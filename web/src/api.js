// api.js - the server's API. The console logs in with HTTP Basic once
// (POST /api/v1/tokens) and keeps only the token, in sessionStorage; no
// cookies. A 401 afterwards (expired or revoked token) logs out.
const KEY = 'comb.token';

export class AuthError extends Error {}

export const session = {
  get token() { return sessionStorage.getItem(KEY); },
  get user() { return sessionStorage.getItem(KEY + '.user'); },
  set(token, user) { sessionStorage.setItem(KEY, token); sessionStorage.setItem(KEY + '.user', user); },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(KEY + '.user'); },
};

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return 'Basic ' + btoa(String.fromCharCode(...bytes));
}

export async function login(user, password) {
  const res = await fetch('/api/v1/tokens', { method: 'POST', headers: { Authorization: basic(user, password) }, credentials: 'omit' });
  if (res.status === 401) throw new AuthError('wrong user name or password');
  if (!res.ok) throw new Error(`login failed: HTTP ${res.status}`);
  const body = await res.json();
  session.set(body.token, user);
  return body;
}

export async function get(path) {
  const token = session.token;
  if (!token) throw new AuthError('not logged in');
  const res = await fetch('/api/v1/' + path, { headers: { Authorization: `Bearer ${token}` }, credentials: 'omit' });
  if (res.status === 401) {
    session.clear();
    throw new AuthError('your session has expired; log in again');
  }
  if (!res.ok) {
    let msg = `HTTP ${res.status}`;
    try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
    throw new Error(`${path}: ${msg}`);
  }
  return res.json();
}
