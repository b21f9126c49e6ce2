import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { authFetch, logout } from '../../src/api/auth.js';
import { ApiError } from '../../src/api/http.js';
import { createAppRouter } from '../../src/router/index.js';
import { TOKEN_KEY, useCustomerStore } from '../../src/stores/customer.js';
import { answer, fakeStorage, hubKnowing, hubTrustingClaims, makeToken } from './fixtures.js';

let storage;
let router;
let token;

beforeEach(async () => {
  setActivePinia(createPinia());
  storage = fakeStorage();
  vi.stubGlobal('sessionStorage', storage);
  vi.stubGlobal('fetch', vi.fn(hubKnowing(hubTrustingClaims)));
  router = createAppRouter(createMemoryHistory());
  token = makeToken();
  await router.push(`/?token=${token}`);
  expect(router.currentRoute.value.name).toBe('dashboard');
});

describe('logout', () => {
  test('revokes the token on the hub, clears the store and storage, and goes to the login page', async () => {
    const fetch = vi.fn(async () => answer(204));
    vi.stubGlobal('fetch', fetch);
    await logout();
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe('/portal/logout');
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe(`Bearer ${token}`);
    const customer = useCustomerStore();
    expect(customer.token).toBeNull();
    expect(customer.account).toBeNull();
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(customer.flash).toBe('flash.loggedOut');
    expect(router.currentRoute.value.fullPath).toBe('/login');
  });

  test('everywhere revokes every session of the customer', async () => {
    const fetch = vi.fn(async () => answer(204));
    vi.stubGlobal('fetch', fetch);
    await logout({ everywhere: true });
    expect(fetch.mock.calls[0][0]).toBe('/portal/logout?everywhere=true');
    expect(useCustomerStore().flash).toBe('flash.loggedOutEverywhere');
  });

  test('an already revoked token still signs out, as a confirmed logout', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(401, { status: 401, code: 'AUTH_05' })));
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await logout();
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.loggedOut');
    expect(router.currentRoute.value.name).toBe('login');
  });

  test('"not me" revokes the token and says the account was left (issue 16, finding 9)', async () => {
    const fetch = vi.fn(async () => answer(204));
    vi.stubGlobal('fetch', fetch);
    await logout({ flash: 'flash.leftAccount' });
    expect(fetch.mock.calls[0][0]).toBe('/portal/logout');
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.leftAccount');
    expect(router.currentRoute.value.name).toBe('login');
  });

  test('an unreachable hub still signs this browser out, and says it was not confirmed', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await logout();
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.logoutUnconfirmed');
    expect(router.currentRoute.value.name).toBe('login');
  });
});

describe('authFetch', () => {
  test('sends the Bearer token and resolves to the JSON body', async () => {
    const fetch = vi.fn(async () => answer(200, { customer: 'CUST-2024-00001' }));
    vi.stubGlobal('fetch', fetch);
    await expect(authFetch('GET', '/portal/me')).resolves.toEqual({ customer: 'CUST-2024-00001' });
    expect(fetch.mock.calls[0][1].headers.Authorization).toBe(`Bearer ${token}`);
  });

  test('a 401 only warns and rejects: no redirect, the session is left to the caller', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => answer(401, { status: 401, code: 'AUTH_05' })));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const push = vi.spyOn(router, 'push');
    const replace = vi.spyOn(router, 'replace');
    await expect(authFetch('GET', '/portal/me')).rejects.toBeInstanceOf(ApiError);
    expect(warn).toHaveBeenCalledOnce();
    expect(push).not.toHaveBeenCalled();
    expect(replace).not.toHaveBeenCalled();
    expect(router.currentRoute.value.name).toBe('dashboard');
    expect(useCustomerStore().token).toBe(token);
  });
});
