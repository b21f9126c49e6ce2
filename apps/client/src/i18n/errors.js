import { ApiError } from '../api/http.js';

// The hub's problem+json `detail` is English; its stable `code` is what we translate.
const CODE_MESSAGES = {
  AUTH_01: 'error.identifierInvalid',
  AUTH_04: 'error.codeInvalid',
  AUTH_05: 'error.sessionInvalid',
  PAY_10: 'error.nothingOwed',
  PAY_11: 'error.notPayable',
  PAY_12: 'error.klarnaRefused',
  PAY_13: 'error.paymentsDown',
  PAY_14: 'error.notFound',
};

/**
 * What a code means for one call only. `PAY_04` is any malformed request (422), so it is
 * translated only where the portal knows its cause: the service answers it to bank debit
 * (`PUT /payments/ppa {"method": "acss_debit"}`) while that is not offered.
 */
export const BANK_DEBIT_CODES = { PAY_04: 'error.bankDebitNotOffered' };

/**
 * Turns a failed call into one sentence for the customer. A 429 says when to retry
 * (a silent cap strands real users); known codes are translated (PAY_13 comes with a 503),
 * other 4xx show the server's `detail`; other 5xx and network failures stay generic.
 * @param {unknown} err
 * @param {(key: string, params?: object) => string} t
 * @param {Record<string, string>} [codes] this call's own codes (message keys), over the shared ones
 */
export function describeError(err, t, codes = {}) {
  if (!(err instanceof ApiError)) return t('error.generic');
  if (err.status === 0) return t('error.network');
  if (err.status === 429) return `${t('error.tooMany')} ${retryPhrase(err.retryAfterS, t)}`;
  const key = codes[err.code] ?? CODE_MESSAGES[err.code];
  if (key) return t(key);
  if (err.status >= 500) return t('error.generic');
  return err.detail || t('error.generic');
}

/** "Réessayez dans 12 minutes." from a number of seconds. */
export function retryPhrase(seconds, t) {
  if (!seconds) return t('error.retryLater');
  if (seconds < 60) return t('error.retrySeconds', { n: seconds });
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return t('error.retryMinutes', { n: minutes });
  return t('error.retryHours', { n: Math.ceil(minutes / 60) });
}
