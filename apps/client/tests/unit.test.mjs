// Fast checks of the pure browser-side helpers, run by node without a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../src/api.js';
import { describeError, retryPhrase } from '../src/i18n/errors.js';
import { messages } from '../src/i18n/messages.js';
import { decodeTokenPayload, takeTokenFromLocation, tokenCustomer } from '../src/token.js';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const demoToken = (payload) => `${b64url({ alg: 'none' })}.${b64url(payload)}.sig`;

function fakeBrowser(href) {
  const url = new URL(href);
  const calls = [];
  const loc = { pathname: url.pathname, search: url.search, hash: url.hash };
  const hist = { state: { kept: true }, replaceState: (state, _title, to) => calls.push({ state, to }) };
  return { loc, hist, calls };
}

const t = (key, params = {}) => {
  let text = messages.fr[key];
  if (Array.isArray(text)) text = text[Number(params.n) > 1 ? 1 : 0];
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name]));
};

test('a token in the fragment is taken out and the URL rewritten with replaceState', () => {
  const { loc, hist, calls } = fakeBrowser('https://portail.example/#/?token=abc.def.ghi');
  assert.equal(takeTokenFromLocation(loc, hist), 'abc.def.ghi');
  assert.deepEqual(calls, [{ state: { kept: true }, to: '/#/' }]);
});

test('other fragment parameters survive the token removal', () => {
  const { loc, hist, calls } = fakeBrowser('https://portail.example/?utm=x#/compte?token=t.t.t&tab=2');
  assert.equal(takeTokenFromLocation(loc, hist), 't.t.t');
  assert.equal(calls[0].to, '/?utm=x#/compte?tab=2');
});

test('a token misplaced in the query string is removed too', () => {
  const { loc, hist, calls } = fakeBrowser('https://portail.example/?token=q.q.q#/');
  assert.equal(takeTokenFromLocation(loc, hist), 'q.q.q');
  assert.equal(calls[0].to, '/#/');
});

test('a URL without a token is left alone', () => {
  const { loc, hist, calls } = fakeBrowser('https://portail.example/#/compte');
  assert.equal(takeTokenFromLocation(loc, hist), null);
  assert.deepEqual(calls, []);
});

test('a token payload with accents decodes as UTF-8', () => {
  const payload = decodeTokenPayload(demoToken({ sub: 'CUST-2024-00005', name: 'Émilie Côté' }));
  assert.equal(payload.name, 'Émilie Côté');
});

test('garbage and expired tokens name no customer', () => {
  assert.equal(tokenCustomer('not-a-jwt'), null);
  assert.equal(tokenCustomer('a.%%%.c'), null);
  assert.equal(tokenCustomer(demoToken({ name: 'No Sub' })), null);
  assert.equal(tokenCustomer(demoToken({ sub: 'C1', exp: Math.floor(Date.now() / 1000) - 5 })), null);
  assert.deepEqual(tokenCustomer(demoToken({ sub: 'C1' })), { sub: 'C1', name: 'C1' });
});

test('a 429 says when to retry, in minutes, seconds or hours', () => {
  const tooMany = new ApiError(429, { detail: 'x', retry_after_s: 700 });
  assert.equal(describeError(tooMany, t), 'Trop de demandes. Réessayez dans 12 minutes.');
  assert.equal(retryPhrase(1, t), 'Réessayez dans 1 seconde.');
  assert.equal(retryPhrase(45, t), 'Réessayez dans 45 secondes.');
  assert.equal(retryPhrase(7200, t), 'Réessayez dans 2 heures.');
  assert.equal(retryPhrase(null, t), 'Réessayez plus tard.');
});

test('a 429 without a body falls back to the Retry-After header', () => {
  assert.equal(new ApiError(429, null, '120').retryAfterS, 120);
});

test('4xx show the server detail, 5xx and network failures stay generic', () => {
  assert.equal(describeError(new ApiError(422, { detail: 'Identifiant invalide.' }), t), 'Identifiant invalide.');
  assert.equal(describeError(new ApiError(500, { detail: 'stack trace' }), t), t('error.generic'));
  assert.equal(describeError(new ApiError(0, null), t), t('error.network'));
});

test('French and English define the same keys', () => {
  assert.deepEqual(Object.keys(messages.en).sort(), Object.keys(messages.fr).sort());
});
