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
