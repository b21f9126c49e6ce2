import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { TOKEN_KEY, decodeToken, useCustomerStore } from '../../src/stores/customer.js';
import { expiredToken, fakeStorage, makeToken } from './fixtures.js';

describe('decodeToken', () => {
  test('a valid token gives its claims, accents decoded as UTF-8', () => {
    const { claims } = decodeToken(makeToken({ sub: 'CUST-2024-00005', name: 'Émilie Côté' }));
    expect(claims.sub).toBe('CUST-2024-00005');
    expect(claims.name).toBe('Émilie Côté');
  });

  test('an expired token is refused as expired', () => {
    expect(decodeToken(expiredToken())).toEqual({ error: 'expired' });
  });

  test('the expiry is compared with the time given', () => {
    const token = makeToken({ exp: 1_000 });
    expect(decodeToken(token, 999_000).claims.exp).toBe(1_000);
    expect(decodeToken(token, 1_000_000)).toEqual({ error: 'expired' });
  });

  test.each([
    ['not base64url', 'aaa.%%%.ccc'],
    ['base64 of something that is not JSON', `aaa.${Buffer.from('hello').toString('base64url')}.ccc`],
    ['a JSON array', `aaa.${Buffer.from('[1]').toString('base64url')}.ccc`],
    ['invalid UTF-8', `aaa.${Buffer.from([0xff, 0xfe]).toString('base64url')}.ccc`],
    ['no sub', makeToken({ sub: undefined })],
    ['no numeric exp', makeToken({ exp: 'tomorrow' })],
    ['an empty payload segment', 'aaa..ccc'],
    ['not a string', null],
  ])('a malformed token is refused: %s', (_why, token) => {
    expect(decodeToken(token)).toEqual({ error: 'malformed' });
  });

  test.each([
    ['one', 'abc'],
    ['two', makeToken().split('.').slice(0, 2).join('.')],
    ['four', `${makeToken()}.extra`],
    ['five (a JWE)', 'a.b.c.d.e'],
  ])('a token with %s segment(s) is refused', (_count, token) => {
    expect(decodeToken(token)).toEqual({ error: 'malformed' });
  });
});

describe('adopt', () => {
  let storage;

  beforeEach(() => {
    setActivePinia(createPinia());
    storage = fakeStorage();
    vi.stubGlobal('sessionStorage', storage);
  });

  test('a valid token fills the store and sessionStorage; whose it is comes from the hub\'s profile', () => {
    const customer = useCustomerStore();
    const token = makeToken({ sub: 'CUST-2024-00002', name: 'Jean Gagnon' });
    expect(customer.adopt(token, { customer: 'CUST-2024-00002', customer_name: 'Jean Gagnon' })).toBe(true);
    expect(customer.token).toBe(token);
    expect(customer.account).toEqual({ id: 'CUST-2024-00002', name: 'Jean Gagnon', impersonatedBy: null });
    expect(storage.getItem(TOKEN_KEY)).toBe(token);
  });

  test('an act claim in the token names nobody: only the hub\'s impersonated_by does (issue 16, finding 9)', () => {
    const customer = useCustomerStore();
    customer.adopt(makeToken({ act: { sub: 'agent.lavoie' } }), { customer: 'CUST-2024-00001', impersonated_by: null });
    expect(customer.impersonatedBy).toBeNull();
    customer.adopt(makeToken(), { customer: 'CUST-2024-00001', impersonated_by: 'agent.lavoie' });
    expect(customer.impersonatedBy).toBe('agent.lavoie');
  });

  test.each([
    ['expired', expiredToken()],
    ['malformed', 'not.a-jwt'],
  ])('an %s token is refused and the session kept', (_why, bad) => {
    const customer = useCustomerStore();
    const good = makeToken();
    customer.adopt(good);
    expect(customer.adopt(bad)).toBe(false);
    expect(customer.token).toBe(good);
    expect(storage.getItem(TOKEN_KEY)).toBe(good);
  });
});
