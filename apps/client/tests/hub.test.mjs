// The portal in Chromium against a REAL hub (HUB_URL, started by scripts/e2e.sh): a support
// session opened by impersonation, the token leaving the URL, the profile read from the
// erp-sandbox through portal-auth, and logout revoking the token server-side.
// Skipped when HUB_URL is unset (the mock-backed suite in e2e.test.mjs runs then).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CHROMIUM_PATH, launchBrowser } from './helpers.mjs';

const HUB = process.env.HUB_URL?.replace(/\/+$/, '');
const skip = !HUB ? 'HUB_URL is unset' : !existsSync(CHROMIUM_PATH) ? `no Chromium at ${CHROMIUM_PATH}` : false;

async function impersonate(customer) {
  const res = await fetch(`${HUB}/portal/impersonate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-authentik-username': 'e2e-agent', 'X-authentik-groups': 'support' },
    body: JSON.stringify({ customer, reason: 'e2e' }),
  });
  assert.equal(res.status, 200, `impersonate answered ${res.status}`);
  return res.json();
}

const verify = (token) => fetch(`${HUB}/auth/verify`, { headers: { Authorization: `Bearer ${token}` } });

describe('portal against the real hub', { skip }, () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { await browser?.close(); });

  test('a support session opens the account, drops the token from the URL, and logout revokes it', async () => {
    const { token, url } = await impersonate('CUST-2024-00001');
    assert.equal((await verify(token)).status, 200);
    const context = await browser.newContext({ locale: 'fr-CA' });
    const page = await context.newPage();
    const urls = [];
    page.on('request', (r) => urls.push(r.url()));
    await page.goto(url.replace(/^https?:\/\/[^/]+/, HUB));
    await page.getByTestId('customer-name').waitFor();
    assert.ok(!page.url().includes('token='), `token left in ${page.url()}`);
    assert.ok(urls.every((u) => !u.includes(token)), 'the token was sent in a request URL');
    assert.match(await page.getByTestId('customer-id').innerText(), /CUST-2024-00001/);
    assert.match(await page.getByTestId('impersonation').innerText(), /e2e-agent/);
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').waitFor();
    assert.equal((await verify(token)).status, 401);
    await context.close();
  });

  test('asking for a link answers with the masked hint only', async () => {
    const context = await browser.newContext({ locale: 'fr-CA' });
    const page = await context.newPage();
    await page.goto(`${HUB}/#/login`);
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').fill('personne@example.org');
    await page.getByRole('button', { name: 'Recevoir un lien et un code' }).click();
    const sent = await page.getByTestId('link-sent').innerText();
    assert.match(sent, /p•+e@e•+\.org/);
    await context.close();
  });
});
