// The customer portal in a real Chromium, against the hub at HUB_URL or, when it is
// unset, against tests/mock-server.mjs (started here). Links and codes are read from
// the sandbox outbox at /notifications/outbox, as a customer would read their mail.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CHROMIUM_PATH, LIMITED_IDENTIFIER, SCREENSHOT_DIR, captureLink, launchBrowser, linkTokenFor, newPage,
  postRequestLink, startHub, takeIdentifier, tokenPayload,
} from './helpers.mjs';

const skip = existsSync(CHROMIUM_PATH)
  ? false
  : `no Chromium at ${CHROMIUM_PATH}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`;

describe('customer portal in Chromium', { skip }, () => {
  let hub;
  let browser;
  const opened = [];

  before(async () => {
    hub = await startHub();
    browser = await launchBrowser();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  after(async () => {
    await Promise.all(opened.map((p) => p.context.close()));
    await browser?.close();
    await hub?.close();
  });

  async function open(options) {
    const tab = await newPage(browser, options);
    opened.push(tab);
    return tab;
  }

  async function loggedInWithLink(identifier, options) {
    const tab = await open(options);
    const token = await linkTokenFor(hub.url, identifier);
    await tab.page.goto(`${hub.url}/#/?token=${token}`);
    await tab.page.getByTestId('customer-name').waitFor();
    return { ...tab, token };
  }

  const storedToken = (page) => page.evaluate(() => sessionStorage.getItem('gf.token'));

  test('requesting a link shows the masked hint and never claims the account exists', async () => {
    const { page, errors } = await open({ viewport: { width: 412, height: 860 } });
    await page.goto(`${hub.url}/#/login`);
    const label = page.getByLabel('Courriel, numéro de téléphone ou numéro de client');
    await label.waitFor();
    assert.equal(await page.locator('meta[name="referrer"]').getAttribute('content'), 'no-referrer');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'login.png'), fullPage: true });

    const who = takeIdentifier();
    await label.fill(who);
    await captureLink(hub.url, who, () => page.getByRole('button', { name: 'Recevoir un lien et un code' }).click());

    const sent = await page.getByTestId('link-sent').innerText();
    assert.match(sent, /^Si un compte correspond à \S*•••\S*, un lien et un code vous ont été envoyés\.$/);
    if (hub.mocked) assert.ok(sent.includes('m•••@e•••.ca'), sent);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'code');
    assert.deepEqual(errors, []);
  });

  test('a wrong code shows the error and the right one opens the account', async () => {
    const { page, errors } = await open();
    await page.goto(`${hub.url}/#/login`);
    const who = takeIdentifier();
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').fill(who);
    const { token, code } = await captureLink(hub.url, who, () =>
      page.getByRole('button', { name: 'Recevoir un lien et un code' }).click());

    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    await page.getByLabel('Code à 6 chiffres').fill(wrong);
    await page.getByRole('button', { name: 'Valider le code' }).click();
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.ok((await error.innerText()).trim().length > 0);
    if (hub.mocked) assert.match(await error.innerText(), /Code invalide ou expiré/);
    assert.equal(await page.getByLabel('Code à 6 chiffres').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Code à 6 chiffres').fill(code);
    await page.getByRole('button', { name: 'Valider le code' }).click();
    await page.getByTestId('customer-name').waitFor();
    assert.equal(await page.getByTestId('customer-name').innerText(), tokenPayload(token).name);
    assert.ok(page.url().endsWith('#/compte'), page.url());
    assert.deepEqual(errors, []);
  });

  test('a magic link token leaves the URL at once and the account shows the customer', async () => {
    const { page, errors, requests } = await open();
    const token = await linkTokenFor(hub.url, takeIdentifier());
    await page.goto(`${hub.url}/#/?token=${token}`, { waitUntil: 'load' });
    const hrefAfterLoad = await page.evaluate(() => location.href);
    assert.ok(!hrefAfterLoad.includes('token'), hrefAfterLoad);

    await page.getByTestId('customer-name').waitFor();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'account.png'), fullPage: true });
    assert.equal(await page.getByTestId('customer-name').innerText(), tokenPayload(token).name);
    assert.equal(await page.getByTestId('customer-id').innerText(), tokenPayload(token).sub);
    assert.equal(await storedToken(page), token);
    assert.ok(!page.url().includes(token));
    // The token only ever travels in the Authorization header: never in a URL or Referer.
    for (const request of requests) {
      assert.ok(!request.url().includes(token), request.url());
      assert.ok(!(request.headers().referer ?? '').includes(token), 'token leaked through Referer');
    }
    assert.deepEqual(errors, []);
  });

  test('another customer link while logged in asks first, and Cancel keeps the first customer', async () => {
    const mine = takeIdentifier();
    const { page, errors, token: first } = await loggedInWithLink(mine);
    const firstName = tokenPayload(first).name;
    const other = await linkTokenFor(hub.url, takeIdentifier({ avoid: [mine] }));
    assert.notEqual(tokenPayload(other).sub, tokenPayload(first).sub, 'pick two different customers');

    // A fresh load of the attacker's link in the same tab (sessionStorage survives).
    await page.goto('about:blank');
    await page.goto(`${hub.url}/#/?token=${other}`);
    const question = page.getByTestId('switch-question');
    await question.waitFor();
    assert.equal((await question.innerText()).replace(/\s+/g, ' '), `Continuer en tant que ${tokenPayload(other).name} ?`);
    assert.ok(!(await page.evaluate(() => location.href)).includes('token'));
    assert.equal(await storedToken(page), first, 'the other token must not be adopted before consent');

    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.getByTestId('customer-name').waitFor();
    assert.equal(await page.getByTestId('customer-name').innerText(), firstName);
    assert.equal(await storedToken(page), first);
    assert.deepEqual(errors, []);
  });

  test('a link opened in the running tab asks too, and Continue switches customer', async () => {
    const mine = takeIdentifier();
    const { page, errors } = await loggedInWithLink(mine);
    const other = await linkTokenFor(hub.url, takeIdentifier({ avoid: [mine] }));
    await page.goto(`${hub.url}/#/?token=${other}`); // fragment-only: same document

    await page.getByTestId('switch-question').waitFor();
    assert.ok(!(await page.evaluate(() => location.href)).includes('token'));
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText(tokenPayload(other).name, { exact: true }).waitFor();
    assert.equal(await storedToken(page), other);
    assert.deepEqual(errors, []);
  });

  test('logout returns to login and the old token is never sent again', async () => {
    const { page, errors, requests, token } = await loggedInWithLink(takeIdentifier());
    await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').waitFor();
    assert.ok(page.url().endsWith('#/login'), page.url());
    assert.equal(await storedToken(page), null);
    const sentSoFar = requests.length;

    await page.goto(`${hub.url}/#/compte`);
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').waitFor();
    const later = requests.slice(sentSoFar);
    assert.ok(later.every((r) => !(r.headers().authorization ?? '').includes(token)), 'old token sent after logout');
    assert.ok(later.every((r) => !r.url().includes('/portal/me')), '/portal/me called after logout');

    const check = await fetch(`${hub.url}/portal/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(check.status, 401, 'the server must have revoked the token');
    assert.deepEqual(errors, []);
  });

  test('logout everywhere revokes the sessions of other browsers', async () => {
    const who = takeIdentifier({ uses: 2 });
    const elsewhere = await linkTokenFor(hub.url, who);
    const { page, errors } = await loggedInWithLink(who);
    await page.getByRole('button', { name: 'Se déconnecter partout' }).click();
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').waitFor();

    const check = await fetch(`${hub.url}/portal/me`, { headers: { Authorization: `Bearer ${elsewhere}` } });
    assert.equal(check.status, 401);
    assert.deepEqual(errors, []);
  });

  test('a session opened by support shows who opened it', { skip: !process.env.HUB_URL ? false : 'mock only' }, async () => {
    const response = await fetch(`${hub.url}/__mock/impersonate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ customer: 'CUST-2024-00001', staff: 'agent.lavoie' }),
    });
    const { token } = await response.json();
    const { page, errors } = await open();
    await page.goto(`${hub.url}/#/?token=${token}`);
    const banner = page.getByTestId('impersonation');
    await banner.waitFor();
    assert.equal((await banner.innerText()).replace(/\s+/g, ' '), 'Session ouverte par le soutien : agent.lavoie');
    assert.equal(await page.getByText('514 555-0147').count(), 1);
    assert.deepEqual(errors, []);
  });

  test('the language toggle switches to English and is remembered', async () => {
    const { page, errors } = await open();
    await page.goto(`${hub.url}/#/login`);
    await page.getByTestId('lang-toggle').click();
    await page.getByLabel('Email, phone number or customer number').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.reload();
    await page.getByLabel('Email, phone number or customer number').waitFor();

    const english = await open({ locale: 'en-US' });
    await english.page.goto(`${hub.url}/#/login`);
    await english.page.getByRole('heading', { name: 'Sign in to your customer portal' }).waitFor();
    assert.deepEqual([...errors, ...english.errors], []);
  });

  // Last: it exhausts the per-identifier limit of LIMITED_IDENTIFIER.
  test('a rate-limited request says when to retry', async () => {
    let limited = false;
    for (let attempt = 0; attempt < 10 && !limited; attempt += 1) {
      limited = (await postRequestLink(hub.url, LIMITED_IDENTIFIER)).status === 429;
    }
    assert.ok(limited, 'the hub never answered 429');

    const { page, errors } = await open();
    await page.goto(`${hub.url}/#/login`);
    await page.getByLabel('Courriel, numéro de téléphone ou numéro de client').fill(LIMITED_IDENTIFIER);
    await page.getByRole('button', { name: 'Recevoir un lien et un code' }).click();
    const error = page.getByTestId('error');
    await error.waitFor();
    assert.match(await error.innerText(), /^Trop de demandes\. Réessayez dans \d+ (secondes?|minutes?|heures?)\.$/);
    if (hub.mocked) assert.match(await error.innerText(), /Réessayez dans 15 minutes\./);
    assert.deepEqual(errors, []);
  });
});
