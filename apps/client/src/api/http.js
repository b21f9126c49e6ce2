// The one fetch helper behind every API call. Same origin as the page (the hub serves the
// app at `/`), so no CORS, no cookies: the only credential is the Bearer token passed in.

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
    this.remainingAttempts = wholeNumber(problem?.remaining_attempts);
  }
}

function wholeNumber(value) {
  return Number.isInteger(value) && value >= 0 ? value : null;
}

function retryAfterSeconds(problem, header) {
  const fromBody = Number(problem?.retry_after_s);
  if (Number.isFinite(fromBody) && fromBody > 0) return Math.ceil(fromBody);
  const fromHeader = Number(header);
  if (Number.isFinite(fromHeader) && fromHeader > 0) return Math.ceil(fromHeader);
  return null;
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

/**
 * Calls the hub and resolves to the parsed JSON body (null when empty), or to a Blob with
 * `blob: true` (a PDF); rejects with an ApiError for a network failure (status 0) or any
 * non-2xx answer.
 * @param {string} method
 * @param {string} path relative, e.g. `/portal/me`
 * @param {{ body?: unknown, token?: string | null, blob?: boolean, lang?: string }} [options]
 *   `lang`: sent as Accept-Language, for services that word their `detail` in it
 */
export async function request(method, path, { body, token, blob = false, lang } = {}) {
  const headers = { Accept: blob ? '*/*' : 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  if (lang) headers['Accept-Language'] = lang;
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
  if (response.ok && blob) return response.blob();
  const data = await readJson(response);
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data;
}
