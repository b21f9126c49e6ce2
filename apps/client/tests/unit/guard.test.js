import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHistory } from 'vue-router';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { PUBLIC_ROUTES, createAppRouter } from '../../src/router/index.js';
import { TOKEN_KEY, useCustomerStore } from '../../src/stores/customer.js';
import { answer, expiredToken, fakeBrowser, fakeStorage, hubKnowing, hubTrustingClaims, makeToken } from './fixtures.js';

const MARIE = { sub: 'CUST-2024-00001', name: 'Marie Tremblay' };
const JEAN = { sub: 'CUST-2024-00002', name: 'Jean Gagnon' };
/** Whose account the store says is open, as the hub named it. */
const accountOf = ({ sub, name }, impersonatedBy = null) => ({ id: sub, name, impersonatedBy });

let storage;
let router;
let hub;

beforeEach(() => {
  setActivePinia(createPinia());
  storage = fakeStorage();
  vi.stubGlobal('sessionStorage', storage);
  hub = vi.fn(hubKnowing(hubTrustingClaims));
  vi.stubGlobal('fetch', hub);
  router = createAppRouter(createMemoryHistory());
});

const at = () => router.currentRoute.value;

describe('the router guard', () => {
  test('a private route without a token goes to the login page', async () => {
    await router.push('/');
    expect(at().name).toBe('login');
    expect(at().fullPath).toBe('/login');
  });

  test('an unknown path ends on the login page too', async () => {
    await router.push('/factures/2024');
    expect(at().name).toBe('login');
  });

  test.each(['/factures', '/factures?page=2', '/compte'])('the payments page %s needs a token', async (path) => {
    await router.push(path);
    expect(at().name).toBe('login');
    await router.push(`/?token=${makeToken()}`);
    await router.push(path);
    expect(at().fullPath).toBe(path);
  });

  test.each(PUBLIC_ROUTES)('the public route %s opens without a token', async (name) => {
    await router.push({ name });
    expect(at().name).toBe(name);
  });

  test('a magic-link token is adopted before deciding, and dropped from the route', async () => {
    const token = makeToken(MARIE);
    await router.push(`/?token=${token}`);
    expect(at().name).toBe('dashboard');
    expect(at().fullPath).toBe('/');
    expect(useCustomerStore().account).toEqual(accountOf(MARIE));
    expect(storage.getItem(TOKEN_KEY)).toBe(token);
  });

  test('other parameters survive the token removal', async () => {
    await router.push(`/paiement/reussi?token=${makeToken(MARIE)}&session_id=cs_1`);
    expect(at().fullPath).toBe('/paiement/reussi?session_id=cs_1');
  });

  test('the token is taken out of the address bar by the guard itself', async () => {
    const token = makeToken(MARIE);
    const { loc, hist, calls } = fakeBrowser(`https://portail.example/#/?token=${token}`);
    vi.stubGlobal('window', { location: loc, history: hist });
    await router.push(`/?token=${token}`);
    expect(calls.map((c) => c.to)).toEqual(['/#/']);
    expect(useCustomerStore().token).toBe(token);
  });

  test('an expired link lands on the login page with a message', async () => {
    await router.push(`/?token=${expiredToken(MARIE)}`);
    expect(at().name).toBe('login');
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.linkExpired');
  });

  test('a malformed link lands on the login page with a message', async () => {
    await router.push('/?token=garbage');
    expect(at().name).toBe('login');
    expect(useCustomerStore().flash).toBe('flash.badLink');
  });

  test('the session stored in the tab is restored (a reload keeps it)', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    await router.push('/');
    expect(at().name).toBe('dashboard');
    expect(useCustomerStore().account).toEqual(accountOf(MARIE));
  });

  test('an expired stored session is dropped with a message', async () => {
    storage.setItem(TOKEN_KEY, expiredToken(MARIE));
    await router.push('/');
    expect(at().name).toBe('login');
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.sessionExpired');
  });

  test('a session that expires while the tab is open is refused at the next navigation', async () => {
    const customer = useCustomerStore();
    await router.push(`/?token=${makeToken(MARIE)}`);
    customer.token = expiredToken(MARIE);
    await router.push('/paiement/annule');
    await router.push('/');
    expect(at().name).toBe('login');
    expect(customer.flash).toBe('flash.sessionExpired');
  });

  test('the login page sends a logged-in customer to the dashboard', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    await router.push('/login');
    expect(at().name).toBe('dashboard');
  });

  test('a link for another customer waits for consent and keeps the first session', async () => {
    const marie = makeToken(MARIE);
    storage.setItem(TOKEN_KEY, marie);
    await router.push(`/?token=${makeToken(JEAN)}`);
    const customer = useCustomerStore();
    expect(at().fullPath).toBe('/');
    expect(customer.token).toBe(marie);
    expect(customer.pendingAccount).toEqual(accountOf(JEAN));
    customer.confirmPending();
    expect(customer.account).toEqual(accountOf(JEAN));
  });

  test('a link for the same customer replaces the token without asking', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    const fresh = makeToken({ ...MARIE, jti: 'new' });
    await router.push(`/?token=${fresh}`);
    expect(useCustomerStore().token).toBe(fresh);
    expect(useCustomerStore().pendingAccount).toBeNull();
  });

  test('a support session the hub confirms is adopted silently over another session', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    const support = makeToken({ ...JEAN, act: { sub: 'agent.lavoie' } });
    await router.push(`/?token=${support}`);
    const customer = useCustomerStore();
    expect(customer.pendingAccount).toBeNull();
    expect(customer.account).toEqual(accountOf(JEAN, 'agent.lavoie'));
    expect(customer.impersonatedBy).toBe('agent.lavoie');
  });
});

describe('a link is confirmed with the hub before it is adopted (issue 16, finding 9)', () => {
  test('nothing is adopted before GET /portal/me has answered for the link token', async () => {
    const token = makeToken(MARIE);
    await router.push(`/?token=${token}`);
    const [path, init] = hub.mock.calls[0];
    // Issue 17: the link's confirmation is the sign-in the hub counts (portal_auth_logins_total).
    expect(path).toBe('/portal/me?via=link');
    expect(init.headers.Authorization).toBe(`Bearer ${token}`);
  });

  test('a link the hub refuses is dropped, even in a tab with no session (login CSRF)', async () => {
    vi.stubGlobal('fetch', vi.fn(hubKnowing(() => null)));
    await router.push(`/?token=${makeToken(JEAN)}`);
    const customer = useCustomerStore();
    expect(at().name).toBe('login');
    expect(customer.token).toBeNull();
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(customer.flash).toBe('flash.badLink');
  });

  test('a link that cannot be checked (hub unreachable) is not adopted', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch'); }));
    await router.push(`/?token=${makeToken(MARIE)}`);
    expect(at().name).toBe('login');
    expect(useCustomerStore().token).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.linkUnverified');
  });

  test('the account shown is the one the hub names, not the one the token claims', async () => {
    const forged = makeToken({ sub: 'CUST-2024-00002', name: 'Marie Tremblay' });
    vi.stubGlobal('fetch', vi.fn(hubKnowing(() => ({ customer: 'CUST-2024-00002', customer_name: 'Jean Gagnon' }))));
    await router.push(`/?token=${forged}`);
    expect(useCustomerStore().account).toEqual(accountOf(JEAN));
  });

  test('an act claim the hub does not confirm is ignored: another customer\'s link still asks', async () => {
    const marie = makeToken(MARIE);
    storage.setItem(TOKEN_KEY, marie);
    const claimed = makeToken({ ...JEAN, act: { sub: 'agent.lavoie' } });
    vi.stubGlobal('fetch', vi.fn(hubKnowing((t) => ({ ...hubTrustingClaims(t), impersonated_by: null }))));
    await router.push(`/?token=${claimed}`);
    const customer = useCustomerStore();
    expect(customer.token).toBe(marie);
    expect(customer.pendingAccount).toEqual(accountOf(JEAN));
    expect(customer.impersonatedBy).toBeNull();
  });

  test('a stored session the hub no longer accepts (revoked) is dropped', async () => {
    storage.setItem(TOKEN_KEY, makeToken(MARIE));
    vi.stubGlobal('fetch', vi.fn(async () => answer(401, { status: 401, code: 'AUTH_05' })));
    await router.push('/');
    expect(at().name).toBe('login');
    expect(storage.getItem(TOKEN_KEY)).toBeNull();
    expect(useCustomerStore().flash).toBe('flash.sessionExpired');
  });
});
