// Thin client for the portal-auth endpoints. Same origin as the page, so no CORS and
// no credentials other than the Bearer token we pass explicitly.

/** An HTTP failure, carrying the RFC 9457 problem+json fields the server sent. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {Record<string, unknown> | null} problem parsed body, if any
   * @param {string | null} retryAfterHeader value of the Retry-After header
   */
  constructor(status, problem, retryAfterHeader = null) {
    super(typeof problem?.detail === 'string' ? problem.detail : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.detail = typeof problem?.detail === 'string' ? problem.detail : null;
    this.code = typeof problem?.code === 'string' ? problem.code : null;
    this.retryAfterS = retryAfterSeconds(problem, retryAfterHeader);
  }
}

function retryAfterSeconds(problem, header) {
  const fromBody = Number(problem?.retry_after_s);
  if (Number.isFinite(fromBody) && fromBody > 0) return Math.ceil(fromBody);
  const fromHeader = Number(header);
  if (Number.isFinite(fromHeader) && fromHeader > 0) return Math.ceil(fromHeader);
  return null;
}

async function call(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'same-origin',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await readJson(response);
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data;
}

async function readJson(response) {
  const text = await response.text().catch(() => '');
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Asks for a magic link and a code. Resolves to `{ ok, kind, hint }`. */
export function requestLink(identifier, lang) {
  return call('POST', '/portal/request-link', { body: { identifier, lang } });
}

/** Exchanges the typed 6-digit code for a token. Resolves to `{ token }`. */
export function verifyCode(identifier, code) {
  return call('POST', '/portal/verify-code', { body: { identifier, code } });
}

/** Reads the logged-in customer's profile. */
export function fetchProfile(token) {
  return call('GET', '/portal/me', { token });
}

/** Revokes this token, or every token of the customer when `everywhere` is true. */
export function logout(token, everywhere) {
  return call('POST', everywhere ? '/portal/logout?everywhere=true' : '/portal/logout', { token });
}
