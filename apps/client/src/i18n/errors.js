import { ApiError } from '../api/http.js';

// The hub's problem+json `detail` is English; its stable `code` is what we translate.
const CODE_MESSAGES = {
  AUTH_01: 'error.identifierInvalid',
  AUTH_04: 'error.codeInvalid',
  AUTH_05: 'error.sessionInvalid',
};

/**
 * Turns a failed call into one sentence for the customer. A 429 says when to retry
 * (a silent cap strands real users); known 4xx codes are translated, other 4xx show the
 * server's `detail`; 5xx and network failures stay generic.
 * @param {unknown} err
 * @param {(key: string, params?: object) => string} t
 */
export function describeError(err, t) {
  if (!(err instanceof ApiError) || err.status >= 500) return t('error.generic');
  if (err.status === 0) return t('error.network');
  if (err.status === 429) return `${t('error.tooMany')} ${retryPhrase(err.retryAfterS, t)}`;
  if (CODE_MESSAGES[err.code]) return t(CODE_MESSAGES[err.code]);
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
