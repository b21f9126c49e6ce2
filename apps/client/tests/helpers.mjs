// Helpers for the browser test: the hub under test (a real one at HUB_URL, or the mock),
// the sandbox outbox where sent links and codes are read, and Chromium.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockServer } from './mock-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Where screenshots go (kept out of git by their own .gitignore). */
export const SCREENSHOT_DIR = path.join(HERE, 'screenshots');

/** Chromium from Debian: no browser download is possible here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** How long to wait for the hub's link worker to put a message in the outbox. */
const OUTBOX_DEADLINE_MS = 30_000;

// The hub allows 3 link requests per identifier per 15 minutes, so each test draws fresh
// identifiers from a pool, each good for E2E_LINKS_PER_IDENTIFIER requests.
const DEFAULT_IDENTIFIERS = [
  'marie.tremblay@example.ca', 'jean.gagnon@example.ca', 'luc.bouchard@example.ca',
  'emilie.cote@example.ca', 'nathalie.levesque@example.ca', 'isabelle.bouchard@example.ca',
  'minh.nguyen@example.ca', 'chantal.levesque@example.ca',
];
const BUDGET = Number(process.env.E2E_LINKS_PER_IDENTIFIER || 3);
const POOL = (process.env.E2E_IDENTIFIERS || DEFAULT_IDENTIFIERS.join(','))
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean)
  .map((id) => ({ id, left: BUDGET }));

/** An identifier that gets rate-limited on purpose; keep it out of the pool. */
export const LIMITED_IDENTIFIER = process.env.E2E_LIMITED_IDENTIFIER || 'sophie.roy@example.ca';

/** The hub's payment test logs in as this demo customer and pays its unpaid invoice (the erp-sandbox's
 * README: each demo customer's December invoice is unpaid; Marie Tremblay's is ACC-SINV-2026-00003). */
export const PAYING_CUSTOMER = process.env.E2E_PAYING_CUSTOMER || 'marie.tremblay@example.ca';
export const UNPAID_INVOICE = process.env.E2E_UNPAID_INVOICE || 'ACC-SINV-2026-00003';

/** The customer the support-session test opens (a seeded customer number). */
export const SUPPORT_CUSTOMER = process.env.E2E_SUPPORT_CUSTOMER || 'CUST-2024-00001';

/**
 * Takes an identifier (of a distinct seeded customer) with `uses` link requests left,
 * other than those in `avoid`.
 */
export function takeIdentifier({ uses = 1, avoid = [] } = {}) {
  const entry = POOL.find((e) => e.left >= uses && !avoid.includes(e.id));
  if (!entry) throw new Error('identifier pool exhausted: list more customers in E2E_IDENTIFIERS');
  entry.left -= uses;
  return entry.id;
}

/** Starts the mock unless HUB_URL names a running hub. Resolves to `{ url, close, mocked }`. */
export async function startHub() {
  if (process.env.HUB_URL) {
    return { url: process.env.HUB_URL.replace(/\/+$/, ''), close: async () => {}, mocked: false };
  }
  const dist = path.join(HERE, '..', 'dist', 'index.html');
  if (!existsSync(dist)) throw new Error(`HUB_URL is unset and ${dist} is missing: run \`npm run build\` first`);
  const mock = await startMockServer();
  console.log(`# HUB_URL is unset: testing against the mock hub at ${mock.url}`);
  return { url: mock.url, close: mock.close, mocked: true };
}

/** Launches Debian's Chromium headless. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Decodes a JWT payload (no signature check: the test only reads its claims). */
export function tokenPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The same token with its payload changed (the signature no longer matches). */
export function withClaims(token, changes) {
  const [header, , signature] = token.split('.');
  const payload = Buffer.from(JSON.stringify({ ...tokenPayload(token), ...changes })).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The sandbox outbox, newest first, as the hub's `GET /notifications/outbox.json` lists it. */
async function outboxRows(hubUrl, identifier) {
  const query = identifier.includes('@') ? `?to=${encodeURIComponent(identifier)}` : '';
  const response = await fetch(`${hubUrl}/notifications/outbox.json${query}`);
  if (!response.ok) throw new Error(`GET /notifications/outbox.json answered ${response.status}`);
  return response.json();
}

/** POSTs /portal/request-link from Node (not the browser). Resolves to the Response. */
export function postRequestLink(hubUrl, identifier) {
  return fetch(`${hubUrl}/portal/request-link`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ identifier, lang: 'fr' }),
  });
}

/**
 * Runs `send` (which must ask for a link for `identifier`), then polls the outbox for the
 * new email that mentions it and returns the `{ token, code, link }` it carries.
 */
export async function captureLink(hubUrl, identifier, send) {
  const before = new Set((await outboxRows(hubUrl, identifier)).map((row) => row.id));
  await send();
  const needle = identifier.toLowerCase();
  const deadline = Date.now() + OUTBOX_DEADLINE_MS;
  while (Date.now() < deadline) {
    const fresh = (await outboxRows(hubUrl, identifier)).filter(
      (row) => !before.has(row.id) && row.channel === 'email' && JSON.stringify(row).toLowerCase().includes(needle),
    );
    if (fresh.length > 0) return parseLinkMessage(fresh[0].text ?? '');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no outbox email for ${identifier} within ${OUTBOX_DEADLINE_MS / 1000} s`);
}

function parseLinkMessage(text) {
  const link = /https?:\/\/\S+?[#?&]token=[A-Za-z0-9_\-.]+/.exec(text)?.[0];
  const token = /[#?&]token=([A-Za-z0-9_\-.]+)/.exec(text)?.[1];
  // Drop URLs first so digits inside the token cannot pass for the code.
  const code = /(?<!\d)(\d{6})(?!\d)/.exec(text.replace(/https?:\/\/\S+/g, ''))?.[1];
  if (!token || !code || !link) throw new Error('outbox message without a link, a token and a code');
  return { token, code, link };
}

/** Asks for a link from Node and returns it, as if the customer opened their mail. */
export function linkFor(hubUrl, identifier) {
  return captureLink(hubUrl, identifier, async () => {
    const response = await postRequestLink(hubUrl, identifier);
    if (!response.ok) throw new Error(`request-link for ${identifier} answered ${response.status}`);
  });
}

/** A support session opened the way the back office does (Authentik headers from loopback). */
export async function impersonate(hubUrl, customer, staff = 'agent.lavoie') {
  const response = await fetch(`${hubUrl}/portal/impersonate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-authentik-username': staff, 'X-authentik-groups': 'support' },
    body: JSON.stringify({ customer, reason: 'e2e' }),
  });
  if (!response.ok) throw new Error(`POST /portal/impersonate answered ${response.status}`);
  return response.json();
}

/**
 * A fresh browser context (own storage) in French. Collects uncaught page errors and
 * Content-Security-Policy violations (the console message Chromium prints, and the
 * `securitypolicyviolation` event reported from inside the page).
 */
export async function newPage(browser, { locale = 'fr-CA', viewport = { width: 1024, height: 768 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  const cspViolations = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|CSP violation/i.test(message.text())) {
      cspViolations.push(message.text());
    }
  });
  const requests = [];
  page.on('request', (request) => requests.push(request));
  const visited = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(frame.url());
  });
  return { context, page, errors, cspViolations, requests, visited };
}
