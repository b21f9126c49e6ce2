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
 * Turns a failed call into one sentence for the customer. A 429 says when to retry
 * (a silent cap strands real users); known codes are translated (PAY_13 comes with a 503),
 * other 4xx show the server's `detail`; other 5xx and network failures stay generic.
 * @param {unknown} err
 * @param {(key: string, params?: object) => string} t
 */
export function describeError(err, t) {
  if (!(err instanceof ApiError)) return t('error.generic');
  if (err.status === 0) return t('error.network');
  if (err.status === 429) return `${t('error.tooMany')} ${retryPhrase(err.retryAfterS, t)}`;
  if (CODE_MESSAGES[err.code]) return t(CODE_MESSAGES[err.code]);
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
