// The two public portal-auth calls of the login page. No token: these are how one is obtained.
import { request } from './http.js';

/**
 * Asks for a magic link and a 6-digit code. Resolves to `{ ok, kind, hint }`, the same
 * whether or not an account matches; rejects with an ApiError (429 carries `retryAfterS`).
 * @param {string} identifier email, phone number or customer number, as typed
 * @param {'fr' | 'en'} lang language of the message when the account has none
 */
export function requestLink(identifier, lang) {
  return request('POST', '/portal/request-link', { body: { identifier, lang } });
}

/**
 * Exchanges the typed 6-digit code for a token. Resolves to `{ token }`.
 * @param {string} identifier the identifier the code was sent for
 * @param {string} code six digits
 */
export function verifyCode(identifier, code) {
  return request('POST', '/portal/verify-code', { body: { identifier, code } });
}
