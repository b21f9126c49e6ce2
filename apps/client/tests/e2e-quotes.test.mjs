// The quotes page (#/soumissions) in a real Chromium, through a real hub only (scripts/e2e.sh):
// staff send a demo quotation with POST /accept/generate (from this machine: the hub's
// LOOPBACK_IS_STAFF), the customer signs it on the DocuSeal stand-in's page (crates/docuseal-sandbox,
// started by the hub) or accepts it here, and the Sales Order is then read in the erp-sandbox.
// Demo quotations: crates/erp-sandbox/src/demo_quotations.rs.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CHROMIUM_PATH, SCREENSHOT_DIR, launchBrowser, linkFor, newPage, startHub } from './helpers.mjs';

const skip = existsSync(CHROMIUM_PATH)
  ? false
  : `no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-services.sh (Debian's chromium) or set CHROMIUM_PATH`;

/** Marie Tremblay's quote to sign: 488.00 + TPS 24.40 + TVQ 48.68 = 561.08. */
const SIGNER = 'marie.tremblay@example.ca';
const QUOTE_TO_SIGN = 'SAL-QTN-2026-00001';
/** Emily Smith's quote to accept with one click: 100.00 + 5.00 + 9.98 = 114.98. */
const CLICKER = 'emily.smith@example.com';
const QUOTE_TO_CLICK = 'SAL-QTN-2026-00002';
/** The erp-sandbox (scripts/e2e.sh) and its documented dev-only credentials. */
const ERP_URL = process.env.E2E_ERP_URL;
const ERP_AUTH = 'token sandbox-key:sandbox-secret';

describe('quotes in Chromium through the hub', { skip }, () => {
  let hub;
  let browser;
  const opened = [];

  before(async () => {
    hub = await startHub();
    browser = await launchBrowser();
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  after(async () => {
    await Promise.all(opened.map((tab) => tab.context.close()));
    await browser?.close();
    await hub?.close();
  });

  async function open() {
    const tab = await newPage(browser);
    opened.push(tab);
    return tab;
  }

  function assertClean(tab) {
    assert.deepEqual(tab.cspViolations, [], 'Content-Security-Policy violations');
    assert.deepEqual(tab.errors, [], 'uncaught page errors');
  }

  const plain = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();
  const digits = (text) => text.replace(/\D/g, '');
  const quoteCard = (page, name) => page.locator(`[data-testid="quote"][data-quotation="${name}"]`);

  /** Staff send `quotation` (from Node on this machine, as the README's curl does). */
  async function generate(quotation, quoteType = 'signature') {
    const response = await fetch(`${hub.url}/accept/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ quotation, quote_type: quoteType }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    return body;
  }

  /** The Sales Order `name` as the erp-sandbox has it. */
  async function salesOrder(name) {
    assert.ok(ERP_URL, 'E2E_ERP_URL names the erp-sandbox (scripts/e2e.sh)');
    const response = await fetch(`${ERP_URL}/api/resource/Sales%20Order/${encodeURIComponent(name)}`, {
      headers: { Authorization: ERP_AUTH, Accept: 'application/json' },
    });
    assert.equal(response.status, 200, `GET Sales Order ${name}`);
    return (await response.json()).data;
  }

  /** Reloads until the quote's badge reads `label` (30 s at most): the acceptor works off the request path. */
  async function waitForStatus(page, card, label) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const badge = card.getByTestId('quote-status');
      await badge.waitFor();
      if ((await badge.innerText()) === label) return;
      assert.ok(Date.now() < deadline, `not "${label}" within 30 s (still "${await badge.innerText()}")`);
      await page.waitForTimeout(500);
      if ((await badge.innerText()) !== 'Signée') await page.reload();
    }
  }

  /** The newest email of `template` to `to` in the sandbox outbox (30 s at most). */
  async function outboxEmail(to, template) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${hub.url}/notifications/outbox.json?to=${encodeURIComponent(to)}`);
      const row = (await response.json()).find((r) => r.channel === 'email' && r.template === template);
      if (row) return row;
      assert.ok(Date.now() < deadline, `no ${template} email to ${to} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  test('a quote is signed on the DocuSeal stand-in and comes back accepted, its Sales Order in the ERP', async (t) => {
    if (hub.mocked) return t.skip('the mock has no quotation-signing nor DocuSeal stand-in');
    const tab = await open();
    const { page } = tab;
    const { link } = await linkFor(hub.url, SIGNER);
    await page.goto(link);
    await page.getByTestId('customer-name').waitFor();
    const sent = await generate(QUOTE_TO_SIGN);
    assert.equal(sent.quote_type, 'signature');

    // The dashboard says a quote waits, and leads to it.
    await page.reload();
    const hint = page.getByTestId('quotes-hint');
    await hint.waitFor();
    assert.equal(await plain(hint.locator('p')), 'Vous avez 1 soumission à signer ou à accepter.');
    await hint.getByRole('link', { name: 'Voir mes soumissions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Mes soumissions' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/soumissions');

    const card = quoteCard(page, QUOTE_TO_SIGN);
    await card.waitFor();
    assert.equal(await card.getByTestId('quote-status').innerText(), 'À signer');
    assert.equal(await page.getByTestId('quotes-pending').locator(`[data-quotation="${QUOTE_TO_SIGN}"]`).count(), 1);
    // FIBRE-1G 95 + TV-BASE 35 a month, STATIC-IP 60 a year (5 a month); INSTALL 99 + ROUTER-WIFI7 199 once.
    assert.equal(await card.getByTestId('quote-recurring').getByTestId('quote-line').count(), 3);
    assert.equal(await card.getByTestId('quote-one-time').getByTestId('quote-line').count(), 2);
    assert.match(await plain(card.getByTestId('quote-recurring')), /Services récurrents/);
    assert.match(await plain(card.getByTestId('quote-recurring')), /60,00 \$ \/ an/);
    assert.equal(digits(await plain(card.getByTestId('quote-recurring-total'))), '13500');
    assert.equal(digits(await plain(card.getByTestId('quote-one-time-total'))), '29800');
    assert.equal(digits(await plain(card.getByTestId('quote-net-total'))), '48800');
    const taxes = await card.getByTestId('quote-tax').allInnerTexts();
    assert.deepEqual(taxes.map(digits), ['2440', '4868']);
    assert.match(await plain(card), /TPS \(5 %\)/);
    assert.match(await plain(card), /TVQ \(9,975 %\)/);
    assert.equal(await plain(card.getByTestId('quote-grand-total')), '561,08 $');
    assert.match(await plain(card.getByTestId('quote-valid-till')), /\d{4}$/);
    assert.equal(await card.getByRole('button', { name: 'Accepter' }).count(), 0, 'a quote to sign is not clicked');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'quote-to-sign-hub.png'), fullPage: true });

    // Signed on the stand-in's own page, in this tab: a drawn signature and the consent box.
    await card.getByRole('button', { name: 'Signer', exact: true }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/s/'));
    assert.notEqual(new URL(page.url()).origin, new URL(hub.url).origin, 'DocuSeal is its own origin');
    assert.equal(await page.locator('#name').inputValue(), 'Marie Tremblay');
    await page.locator('#signature').fill('Marie Tremblay');
    const pad = await page.locator('#pad').boundingBox();
    await page.mouse.move(pad.x + 10, pad.y + pad.height / 2);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2, pad.y + 10, { steps: 5 });
    await page.mouse.move(pad.x + pad.width - 10, pad.y + pad.height - 10, { steps: 5 });
    await page.mouse.up();
    await page.locator('input[name="consent"]').check();
    await page.getByRole('button', { name: 'Signer / Sign' }).click();

    // DocuSeal's completed_redirect_url: back on the portal's quotes page, still logged in.
    await page.waitForURL((url) => url.origin === new URL(hub.url).origin && url.hash === '#/soumissions');
    await page.getByRole('heading', { level: 1, name: 'Mes soumissions' }).waitFor();
    await waitForStatus(page, card, 'Acceptée');
    assert.equal(await page.getByTestId('quotes-closed').locator(`[data-quotation="${QUOTE_TO_SIGN}"]`).count(), 1);
    assert.equal(await card.getByRole('button', { name: 'Signer', exact: true }).count(), 0);
    const order = await plain(card.getByTestId('quote-sales-order'));
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'quote-signed-hub.png'), fullPage: true });

    const erp = await salesOrder(order);
    assert.equal(erp.customer, 'CUST-2024-00001');
    assert.equal(erp.docstatus, 1);
    assert.ok(erp.items.every((item) => item.prevdoc_docname === QUOTE_TO_SIGN));
    // The link and the confirmation reached the outbox (and no later email of Marie's can pass for
    // a login link in another test).
    await outboxEmail(SIGNER, 'quotes.sign_link');
    await outboxEmail(SIGNER, 'quotes.confirmation');
    assertClean(tab);
  });

  test('a click quote opened from its email is accepted after confirming, in English, its Sales Order in the ERP', async (t) => {
    if (hub.mocked) return t.skip('the mock has no quotation-signing');
    const sent = await generate(QUOTE_TO_CLICK, 'click');
    assert.equal(sent.quote_type, 'click');
    const email = await outboxEmail(CLICKER, 'quotes.accept_link');
    const link = /https?:\/\/\S+#\/soumissions\?token=[A-Za-z0-9_\-.]+/.exec(email.text ?? '')?.[0];
    assert.ok(link, 'the email carries a logged-in link to #/soumissions');

    const tab = await open();
    const { page, requests } = tab;
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Mes soumissions' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#/soumissions', 'the token is taken out of the address bar');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'My quotes' }).waitFor();

    const card = quoteCard(page, QUOTE_TO_CLICK);
    await card.getByTestId('quote-status').getByText('To accept').waitFor();
    assert.equal(await card.getByTestId('quote-one-time').count(), 0, 'recurring only');
    assert.equal(await plain(card.getByTestId('quote-recurring-total')), '$100.00');
    assert.equal(await plain(card.getByTestId('quote-grand-total')), '$114.98');
    assert.equal(await card.getByRole('button', { name: 'Sign', exact: true }).count(), 0);

    await card.getByRole('button', { name: 'Accept', exact: true }).click();
    const question = card.getByText(/^Accept quote SAL-QTN-2026-00002 for \$114\.98\?/);
    await question.waitFor();
    await card.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await question.count(), 0, 'Cancel leaves it pending');
    await card.getByRole('button', { name: 'Accept', exact: true }).click();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/accept/confirm'),
      card.getByRole('button', { name: 'Yes, I accept' }).click(),
    ]);
    assert.equal(answer.status(), 200);
    assert.equal(answer.request().headers()['accept-language'], 'en');
    const order = (await answer.json()).sales_order;
    await page.getByTestId('status').getByText(`Quote accepted. Your order ${order} is created.`).waitFor();
    await card.getByTestId('quote-status').getByText('Accepted').waitFor();
    assert.equal(await plain(card.getByTestId('quote-sales-order')), order);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'quote-accepted-hub.png'), fullPage: true });

    // Accepting again is refused in the customer's language (QUO_12), from the service's detail.
    const again = await page.evaluate(async (quotation) => {
      const response = await fetch('/accept/confirm', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Accept-Language': 'fr', Authorization: `Bearer ${sessionStorage.getItem('gf.token')}` },
        body: JSON.stringify({ quotation }),
      });
      return { status: response.status, body: await response.json() };
    }, QUOTE_TO_CLICK);
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'QUO_12');

    const erp = await salesOrder(order);
    assert.equal(erp.customer, 'CUST-2024-00007');
    await outboxEmail(CLICKER, 'quotes.confirmation');
    for (const request of requests.slice(1)) assert.ok(!request.url().includes('token='), request.url());
    assertClean(tab);
  });
});
