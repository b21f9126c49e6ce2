// Helpers for the browser test: the hub under test (a real one at HUB_URL, or the
// mock), the sandbox outbox where sent links and codes are read, and Chromium.

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

// The hub allows a few link requests per identifier per window, so each test draws
// fresh identifiers from a pool, each good for E2E_LINKS_PER_IDENTIFIER requests.
const DEFAULT_IDENTIFIERS = [
  'marie.tremblay@example.ca', 'jean.gagnon@example.ca', 'luc.bouchard@example.ca',
  'emilie.cote@example.ca', 'nathalie.levesque@example.ca',
];
const BUDGET = Number(process.env.E2E_LINKS_PER_IDENTIFIER || 3);
const POOL = (process.env.E2E_IDENTIFIERS || DEFAULT_IDENTIFIERS.join(','))
  .split(',')
  .map((id) => id.trim())
  .filter(Boolean)
  .map((id) => ({ id, left: BUDGET }));

/** An identifier that gets rate-limited on purpose; keep it out of the pool. */
export const LIMITED_IDENTIFIER = process.env.E2E_LIMITED_IDENTIFIER || 'sophie.roy@example.ca';

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

/** Decodes a JWT payload (no signature check: the test only reads `sub`/`name`). */
export function tokenPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function outboxMessages(hubUrl) {
  const response = await fetch(`${hubUrl}/notifications/outbox`, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET /notifications/outbox answered ${response.status}`);
  const body = await response.json();
  const list = Array.isArray(body) ? body : (body.messages ?? body.items ?? body.data ?? []);
  return list.map((message) => JSON.stringify(message));
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
 * Runs `send` (which must ask for a link for `identifier`), then waits for the new
 * outbox message that mentions it and returns the `{ token, code }` it carries.
 */
export async function captureLink(hubUrl, identifier, send) {
  const before = new Set(await outboxMessages(hubUrl));
  await send();
  const needle = identifier.toLowerCase();
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const fresh = (await outboxMessages(hubUrl)).filter((m) => !before.has(m) && m.toLowerCase().includes(needle));
    if (fresh.length > 0) return parseLinkMessage(fresh[fresh.length - 1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no outbox message for ${identifier} within 5 s`);
}

function parseLinkMessage(text) {
  const token = /[#?&]token=([A-Za-z0-9_\-.]+)/.exec(text)?.[1];
  // Drop URLs first so digits inside the token cannot pass for the code.
  const code = /(?<!\d)(\d{6})(?!\d)/.exec(text.replace(/https?:\/\/[^\s"\\]+/g, ''))?.[1];
  if (!token || !code) throw new Error('outbox message without a token and a code');
  return { token, code };
}

/** Asks for a link from Node and returns its token, as if the customer opened their mail. */
export function linkTokenFor(hubUrl, identifier) {
  return captureLink(hubUrl, identifier, async () => {
    const response = await postRequestLink(hubUrl, identifier);
    if (!response.ok) throw new Error(`request-link for ${identifier} answered ${response.status}`);
  }).then(({ token }) => token);
}

/** A fresh browser context (own storage) in French, with page errors collected. */
export async function newPage(browser, { locale = 'fr-CA', viewport = { width: 1024, height: 768 } } = {}) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const requests = [];
  page.on('request', (request) => requests.push(request));
  return { context, page, errors, requests };
}
