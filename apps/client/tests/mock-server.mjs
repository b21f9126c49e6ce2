// A stand-in for the hub, for the browser test and for local UI work: serves dist/
// and fakes the portal endpoints with the hub's wire shapes and problem codes, the payments
// routes and Stripe's hosted pages (tests/mock-payments.mjs), plus a
// sandbox outbox at /notifications/outbox.json where the "sent" link and code can be
// read, as in the hub's embedded mode, and the hub's security headers (CSP included).
// Listens on 127.0.0.1 only.
//
//   node tests/mock-server.mjs [port]      (after `npm run build`)

import { randomInt, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAYMENTS_PATH, routePayments } from './mock-payments.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_DIST = path.resolve(HERE, '..', 'dist');
const LIMIT_PER_WINDOW = 3;
const WINDOW_MS = 15 * 60 * 1000;
const MAX_CODE_ATTEMPTS = 5;

/** What crates/shared/src/http/health.rs security_headers() sends; keep the two alike. */
export const SECURITY_HEADERS = {
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

/** Demo customers, also used by the e2e test as identifiers. */
export const CUSTOMERS = [
  { customer: 'CUST-2024-00001', customer_name: 'Marie Tremblay', email: 'marie.tremblay@example.ca', phone: '+15145550147', language: 'fr' },
  { customer: 'CUST-2024-00002', customer_name: 'Jean Gagnon', email: 'jean.gagnon@example.ca', phone: '+14385550123', language: 'fr' },
  { customer: 'CUST-2024-00003', customer_name: 'Sophie Roy', email: 'sophie.roy@example.ca', phone: '+18195550188', language: 'en' },
  { customer: 'CUST-2024-00004', customer_name: 'Luc Bouchard', email: 'luc.bouchard@example.ca', phone: '+14505550111', language: 'fr' },
  { customer: 'CUST-2024-00005', customer_name: 'Émilie Côté', email: 'emilie.cote@example.ca', phone: '+15145550166', language: 'fr' },
  { customer: 'CUST-2024-00006', customer_name: 'Nathalie Lévesque', email: 'nathalie.levesque@example.ca', phone: '+14185550199', language: 'fr' },
  { customer: 'CUST-2024-00007', customer_name: 'Isabelle Bouchard', email: 'isabelle.bouchard@example.ca', phone: '+15145550102', language: 'fr' },
  { customer: 'CUST-2024-00008', customer_name: 'Minh Nguyen', email: 'minh.nguyen@example.ca', phone: '+14385550133', language: 'fr' },
  { customer: 'CUST-2024-00009', customer_name: 'Chantal Lévesque', email: 'chantal.levesque@example.ca', phone: '+18195550144', language: 'fr' },
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned, JWT-looking demo token `header.payload.sig` (the mock trusts only its own list). */
export function mintDemoToken(customer, extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: customer.customer, name: customer.customer_name, aud: 'portal', jti: randomUUID(), iat: now, exp: now + 86400, ...extra };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.demo-signature`;
}

function normalise(identifier) {
  const text = String(identifier ?? '').trim();
  if (text.includes('@')) return { kind: 'email', key: text.toLowerCase() };
  if (/^cust-/i.test(text)) return { kind: 'customer_id', key: text.toUpperCase() };
  const digits = text.replace(/\D/g, '');
  if (digits.length === 10 || (digits.length === 11 && digits.startsWith('1'))) {
    return { kind: 'phone', key: `+1${digits.slice(-10)}` };
  }
  return null;
}

function findCustomer({ kind, key }) {
  return CUSTOMERS.find((c) => (kind === 'email' ? c.email : kind === 'phone' ? c.phone : c.customer) === key);
}

function maskEmail(email) {
  const [local, domain = ''] = email.split('@');
  const tld = domain.includes('.') ? domain.slice(domain.lastIndexOf('.')) : '';
  return `${local.slice(0, 1)}•••@${domain.slice(0, 1)}•••${tld}`;
}

// The hint is derived from what was typed (or a stable fake), never only for real
// accounts: the answer must look the same whether the account exists or not.
function hintFor(id, customer) {
  if (id.kind === 'email') return maskEmail(id.key);
  if (id.kind === 'phone') return `•••-•••-${id.key.slice(-4)}`;
  return customer ? maskEmail(customer.email) : 'c•••@g•••.ca';
}

export function problem(res, status, code, title, detail, extra = {}) {
  const headers = { ...SECURITY_HEADERS, 'Content-Type': 'application/problem+json' };
  if (extra.retry_after_s) headers['Retry-After'] = String(extra.retry_after_s);
  res.writeHead(status, headers);
  res.end(JSON.stringify({ type: `https://gigafibre.ca/problems/${code.toLowerCase()}`, title, status, detail, code, ...extra }));
}

export function json(res, status, body) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return null;
  }
}

function bearer(req) {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return match ? match[1] : null;
}

function createState() {
  return {
    origin: '', requests: [], outbox: [], codes: new Map(), sends: new Map(), tokens: new Map(),
    payments: new Map(), checkouts: new Map(),
  };
}

function requestLink(state, body, res) {
  const id = body && normalise(body.identifier);
  if (!id) {
    return problem(res, 400, 'AUTH_01', 'Invalid identifier',
      'This is not an email address, phone number or customer number.');
  }
  const now = Date.now();
  const recent = (state.sends.get(id.key) ?? []).filter((at) => now - at < WINDOW_MS);
  if (recent.length >= LIMIT_PER_WINDOW) {
    const retry = Math.ceil((recent[0] + WINDOW_MS - now) / 1000);
    return problem(res, 429, 'AUTH_03', 'Too many requests',
      `Too many requests; try again in ${Math.ceil(retry / 60)} minute(s).`, { retry_after_s: retry });
  }
  state.sends.set(id.key, [...recent, now]);
  const customer = findCustomer(id);
  if (customer) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const token = mintDemoToken(customer);
    state.tokens.set(token, { sub: customer.customer, revoked: false });
    state.codes.set(id.key, { code, token, attempts: 0 });
    // Links are built from configuration (our own origin), never from the Host header.
    const link = `${state.origin}/#/?token=${token}`;
    state.outbox.unshift({
      id: randomUUID(), channel: 'email', to: customer.email, status: 'captured', subject: 'Votre lien de connexion Gigafibre',
      text: `Votre code : ${code}\nOu ouvrez ce lien : ${link}`, created_at: new Date().toISOString(),
    });
  }
  json(res, 200, { ok: true, kind: id.kind, hint: hintFor(id, customer) });
}

function verifyCode(state, body, res) {
  const id = body && normalise(body.identifier);
  const entry = id && state.codes.get(id.key);
  if (entry && entry.attempts < MAX_CODE_ATTEMPTS && entry.code === String(body.code ?? '')) {
    state.codes.delete(id.key);
    return json(res, 200, { token: entry.token });
  }
  if (entry) entry.attempts += 1;
  problem(res, 400, 'AUTH_04', 'Invalid code', 'The code is wrong or has expired.');
}

export function session(state, req) {
  const token = bearer(req);
  const entry = token && state.tokens.get(token);
  return entry && !entry.revoked ? { token, ...entry } : null;
}

function me(state, req, res) {
  const current = session(state, req);
  if (!current) return problem(res, 401, 'AUTH_05', 'Unauthorized', 'A valid customer token is required.');
  const customer = CUSTOMERS.find((c) => c.customer === current.sub);
  json(res, 200, { ...customer, impersonated_by: current.staff ?? null });
}

function logout(state, req, url, res) {
  const current = session(state, req);
  if (!current) return problem(res, 401, 'AUTH_05', 'Unauthorized', 'A valid customer token is required.');
  const everywhere = url.searchParams.get('everywhere') === 'true';
  for (const [token, entry] of state.tokens) {
    if (token === current.token || (everywhere && entry.sub === current.sub)) entry.revoked = true;
  }
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

async function serveStatic(distDir, url, res) {
  const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const file = path.resolve(distDir, relative);
  if (!file.startsWith(distDir + path.sep)) return problem(res, 404, 'NOT_FOUND', 'Not Found', 'No such file.');
  try {
    const content = await readFile(file);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': relative === 'index.html' ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    res.end(content);
  } catch {
    problem(res, 404, 'NOT_FOUND', 'Not Found', 'No such file (did you run `npm run build`?).');
  }
}

async function route(state, distDir, req, res) {
  const url = new URL(req.url, state.origin);
  state.requests.push({ method: req.method, path: url.pathname + url.search, authorization: req.headers.authorization ?? null });
  const key = `${req.method} ${url.pathname}`;
  if (key === 'POST /portal/request-link') return requestLink(state, await readBody(req), res);
  if (key === 'POST /portal/verify-code') return verifyCode(state, await readBody(req), res);
  if (key === 'GET /portal/me') return me(state, req, res);
  if (key === 'POST /portal/logout') return logout(state, req, url, res);
  if (key === 'POST /portal/impersonate') return impersonate(state, req, await readBody(req), res);
  if (key === 'GET /notifications/outbox.json') return json(res, 200, outbox(state, url));
  // No quotation-signing here: no quotes (the hub's own quotes test is tests/e2e-quotes.test.mjs).
  if (key === 'GET /accept/quotes') return json(res, 200, { quotes: [] });
  if (PAYMENTS_PATH.test(url.pathname)) return routePayments(state, req, url, res);
  if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(distDir, url, res);
  problem(res, 405, 'METHOD_NOT_ALLOWED', 'Method Not Allowed', `${req.method} is not allowed here.`);
}

function outbox(state, url) {
  const to = url.searchParams.get('to');
  return to ? state.outbox.filter((m) => m.to === to) : state.outbox;
}

// Support staff open a customer's portal for an hour; Authentik's headers name them.
function impersonate(state, req, body, res) {
  const staff = String(req.headers['x-authentik-username'] ?? '').trim();
  if (!staff) return problem(res, 403, 'AUTH_06', 'Forbidden', 'No staff identity.');
  const customer = CUSTOMERS.find((c) => c.customer === body?.customer);
  if (!customer) return problem(res, 404, 'AUTH_07', 'Not found', 'No such customer.');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const token = mintDemoToken(customer, { exp, act: { sub: staff } });
  state.tokens.set(token, { sub: customer.customer, staff, revoked: false });
  json(res, 200, { token, url: `${state.origin}/#/?token=${token}`, expires_at: exp });
}

/**
 * Starts the mock on 127.0.0.1. Resolves to `{ url, state, close() }`; `state.requests`
 * logs every request (method, path, Authorization) for assertions.
 */
export async function startMockServer({ port = 0, distDir = DEFAULT_DIST } = {}) {
  const state = createState();
  const server = http.createServer((req, res) => {
    route(state, distDir, req, res).catch(() => problem(res, 500, 'INTERNAL', 'Internal Server Error', 'Mock failure.'));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address();
  state.origin = `http://127.0.0.1:${bound}`;
  return {
    url: state.origin,
    state,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mock = await startMockServer({ port: Number(process.argv[2] ?? 0) });
  console.log(`mock hub on ${mock.url} (demo customers: ${CUSTOMERS.map((c) => c.email).join(', ')})`);
}
