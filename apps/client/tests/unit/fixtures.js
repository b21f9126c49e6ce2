// Test doubles shared by the unit tests: JWT-shaped tokens, sessionStorage, location/history.

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT-shaped token (the client never checks signatures). */
export function makeToken(claims = {}, { expiresInS = 3600 } = {}) {
  const exp = Math.floor(Date.now() / 1000) + expiresInS;
  const payload = { sub: 'CUST-2024-00001', name: 'Marie Tremblay', aud: 'portal', exp, ...claims };
  return `${b64url({ alg: 'EdDSA', typ: 'JWT', kid: 'test' })}.${b64url(payload)}.c2lnbmF0dXJl`;
}

/** A token that expired a minute ago. */
export const expiredToken = (claims) => makeToken(claims, { expiresInS: -60 });

/** An in-memory sessionStorage. */
export function fakeStorage(entries = {}) {
  const map = new Map(Object.entries(entries));
  return {
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => map.set(key, String(value)),
    removeItem: (key) => map.delete(key),
    clear: () => map.clear(),
  };
}

/** `{ loc, hist, calls }`: a Location and a History whose replaceState records its calls. */
export function fakeBrowser(href) {
  const url = new URL(href);
  const calls = [];
  const loc = { pathname: url.pathname, search: url.search, hash: url.hash };
  const hist = {
    state: { kept: true },
    replaceState(state, _title, to) {
      calls.push({ state, to });
      const next = new URL(to, url);
      Object.assign(loc, { pathname: next.pathname, search: next.search, hash: next.hash });
    },
  };
  return { loc, hist, calls };
}

/** A fetch Response-like answer. */
export function answer(status, body = null, headers = {}) {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

/**
 * A fetch standing in for the hub's `GET /portal/me`: the profile `whoIs(token)` returns
 * (`{ customer, customer_name, impersonated_by }`), or 401 when it returns null (with or without
 * `?via=link`). Other paths answer 204. Its `calls` are fetch's mock calls.
 * @param {(token: string) => Record<string, any> | null} whoIs
 */
export function hubKnowing(whoIs) {
  return async (path, init = {}) => {
    if (path.split('?')[0] !== '/portal/me') return answer(204);
    const token = /^Bearer (.+)$/.exec(init.headers?.Authorization ?? '')?.[1];
    const profile = token ? whoIs(token) : null;
    return profile ? answer(200, profile) : answer(401, { status: 401, code: 'AUTH_05' });
  };
}

/** The hub as it answers for tokens made by `makeToken`: the customer its claims name. */
export function hubTrustingClaims(token) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  return { customer: claims.sub, customer_name: claims.name, impersonated_by: claims.act?.sub ?? null };
}
