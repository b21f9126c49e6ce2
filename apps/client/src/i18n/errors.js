import { ApiError } from '../api.js';

/**
 * Turns a failed call into one sentence for the customer. A 429 says when to retry
 * (a silent cap strands real users); 4xx show the server's `detail`.
 * @param {unknown} err
 * @param {(key: string, params?: object) => string} t
 */
export function describeError(err, t) {
  if (!(err instanceof ApiError) || err.status >= 500) return t('error.generic');
  if (err.status === 0) return t('error.network');
  if (err.status === 429) return `${t('error.tooMany')} ${retryPhrase(err.retryAfterS, t)}`;
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
