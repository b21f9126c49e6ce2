import { describe, expect, test } from 'vitest';
import { ApiError } from '../../src/api/http.js';
import { describeError, retryPhrase } from '../../src/i18n/errors.js';
import { messages } from '../../src/i18n/messages.js';

const t = (key, params = {}) => {
  let text = messages.fr[key];
  if (Array.isArray(text)) text = text[Number(params.n) > 1 ? 1 : 0];
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name]));
};

describe('error wording', () => {
  test('a 429 says when to retry, in minutes, seconds or hours', () => {
    const tooMany = new ApiError(429, { detail: 'x', retry_after_s: 700 });
    expect(describeError(tooMany, t)).toBe('Trop de demandes. Réessayez dans 12 minutes.');
    expect(retryPhrase(1, t)).toBe('Réessayez dans 1 seconde.');
    expect(retryPhrase(45, t)).toBe('Réessayez dans 45 secondes.');
    expect(retryPhrase(7200, t)).toBe('Réessayez dans 2 heures.');
    expect(retryPhrase(null, t)).toBe('Réessayez plus tard.');
  });

  test('a 429 without a body falls back to the Retry-After header', () => {
    expect(new ApiError(429, null, '120').retryAfterS).toBe(120);
  });

  test('the hub codes are translated; other 4xx show the detail; 5xx and network failures stay generic', () => {
    expect(describeError(new ApiError(400, { code: 'AUTH_04', detail: 'The code is wrong.' }), t)).toBe(t('error.codeInvalid'));
    expect(describeError(new ApiError(400, { code: 'AUTH_01', detail: 'bad' }), t)).toBe(t('error.identifierInvalid'));
    expect(describeError(new ApiError(422, { detail: 'Identifiant invalide.' }), t)).toBe('Identifiant invalide.');
    expect(describeError(new ApiError(500, { detail: 'stack trace' }), t)).toBe(t('error.generic'));
    expect(describeError(new ApiError(0, null), t)).toBe(t('error.network'));
  });

  test('remaining attempts are read from the problem when the hub sends them', () => {
    expect(new ApiError(400, { remaining_attempts: 3 }).remainingAttempts).toBe(3);
    expect(new ApiError(400, { code: 'AUTH_04' }).remainingAttempts).toBeNull();
  });

  test('French and English define the same keys, with the same plural shapes', () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.fr).sort());
    for (const key of Object.keys(messages.fr)) {
      expect(Array.isArray(messages.en[key]), key).toBe(Array.isArray(messages.fr[key]));
    }
  });
});
