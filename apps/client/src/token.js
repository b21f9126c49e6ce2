// Magic-link token handling. The token arrives in the URL fragment (never sent to a
// server) and must leave the URL at once: history.replaceState rewrites the current
// history entry, whereas `location.hash = …` would keep the token in Back/Forward.

/** sessionStorage key of the customer's token (per tab, gone when the tab closes). */
export const TOKEN_KEY = 'gf.token';

/**
 * Decodes a JWT payload for DISPLAY ONLY. The signature is not checked here: the
 * server verifies every token it receives; the client only needs `sub` and `name`
 * to tell customers apart and greet them.
 * @param {string} token
 * @returns {Record<string, unknown> | null}
 */
export function decodeTokenPayload(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload !== null && typeof payload === 'object' ? payload : null;
  } catch {
    return null;
  }
}

/**
 * Who a token says it belongs to, or null when it is unreadable or expired.
 * @param {string | null} token
 * @returns {{ sub: string, name: string } | null}
 */
export function tokenCustomer(token) {
  const payload = token ? decodeTokenPayload(token) : null;
  if (!payload || typeof payload.sub !== 'string' || !payload.sub) return null;
  if (typeof payload.exp === 'number' && payload.exp * 1000 <= Date.now()) return null;
  const name = typeof payload.name === 'string' && payload.name ? payload.name : payload.sub;
  return { sub: payload.sub, name };
}

/**
 * Takes a `token` parameter out of the current URL (fragment `#/?token=…`, or a
 * misbuilt link's query string) and removes it from the address bar and history
 * entry right away. Returns the token, or null when the URL has none.
 * @param {Location} [loc]
 * @param {History} [hist]
 * @returns {string | null}
 */
export function takeTokenFromLocation(loc = window.location, hist = window.history) {
  const hash = splitParams(loc.hash || '');
  const search = splitParams(loc.search || '');
  const token = hash.params.get('token') || search.params.get('token');
  if (!hash.params.has('token') && !search.params.has('token')) return null;
  hash.params.delete('token');
  search.params.delete('token');
  const query = joinParams('?', search.params);
  const fragment = (hash.head || '#/') + joinParams('?', hash.params);
  hist.replaceState(hist.state, '', loc.pathname + query + fragment);
  return token || null;
}

function splitParams(part) {
  const at = part.indexOf('?');
  if (at < 0) return { head: part, params: new URLSearchParams() };
  return { head: part.slice(0, at), params: new URLSearchParams(part.slice(at + 1)) };
}

function joinParams(prefix, params) {
  const text = params.toString();
  return text ? prefix + text : '';
}
