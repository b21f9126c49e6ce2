// The payments service's customer routes for the mock hub (docs/payments.md, "Routes" and
// "Bodies"), with a stand-in for Stripe's hosted pages: `/checkout/{id}` completes at once (pays
// the invoices, or saves a card) and sends the browser back the way the service's
// `GET /payments/return` does, with a fresh token in the fragment.
//
// Every customer starts with the same invoices: one of each status (the overdue one is over the
// mock's Klarna limit: 422 PAY_12), then older paid ones, enough for two pages; and two cards.
// Auto-pay (`/payments/ppa`) starts off; bank debit answers a `/checkout/{id}` that accepts the
// mandate at once and comes back to `#/compte`, as Stripe's page will.

import { randomUUID } from 'node:crypto';
import { CUSTOMERS, SECURITY_HEADERS, json, mintDemoToken, problem, readBody, session } from './mock-server.mjs';

const PER_PAGE = 20;
/** Klarna is refused above this amount (the mock's stand-in for "company, over the limit"). */
const KLARNA_LIMIT_CENTS = 10_000;
const PAYABLE = ['unpaid', 'overdue', 'partly_paid'];

// A tiny valid one-page PDF.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n'
  + '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n'
  + '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 144]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

// Quebec taxes on a base in cents: TPS 5 %, TVQ 9.975 %.
function invoice(name, postingDate, dueDate, status, baseCents, outstandingCents) {
  const tps = Math.round(baseCents * 0.05);
  const tvq = Math.round(baseCents * 0.09975);
  const total = baseCents + tps + tvq;
  return {
    name, posting_date: postingDate, due_date: dueDate, status,
    grand_total_cents: total, outstanding_cents: outstandingCents ?? total, currency: 'CAD',
    taxes: [
      { label: 'TPS', rate: 5.0, amount_cents: tps },
      { label: 'TVQ', rate: 9.975, amount_cents: tvq },
    ],
  };
}

function startingAccount() {
  const invoices = [
    invoice('ACC-SINV-2026-00031', '2026-12-01', '2026-12-31', 'unpaid', 5_000),
    invoice('ACC-SINV-2026-00024', '2026-11-01', '2026-11-30', 'partly_paid', 10_000, 4_000),
    invoice('ACC-SINV-2026-00012', '2026-10-01', '2026-10-31', 'overdue', 10_000),
    invoice('ACC-SINV-2026-00008', '2026-09-01', '2026-09-30', 'paid', 10_000, 0),
    invoice('ACC-SINV-2026-00005', '2026-08-15', '2026-09-14', 'cancelled', 2_500),
  ];
  for (let month = 18; month >= 1; month -= 1) {
    const mm = String(month > 12 ? month - 12 : month).padStart(2, '0');
    const year = month > 12 ? 2024 : 2025;
    invoices.push(invoice(`ACC-SINV-${year}-${String(month).padStart(5, '0')}`, `${year}-${mm}-01`, `${year}-${mm}-28`, 'paid', 10_000, 0));
  }
  return {
    invoices,
    cards: [
      { id: 'pm_visa4242', brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2030, default: true },
      { id: 'pm_mc4444', brand: 'mastercard', last4: '4444', exp_month: 8, exp_year: 2027, default: false },
    ],
    ppa: null,
  };
}

function accountOf(state, customerId) {
  if (!state.payments.has(customerId)) state.payments.set(customerId, startingAccount());
  return state.payments.get(customerId);
}

const owed = (invoices) => invoices.filter((i) => PAYABLE.includes(i.status) && i.outstanding_cents > 0);

function balance(account) {
  const open = owed(account.invoices);
  return {
    balance_cents: open.reduce((sum, i) => sum + i.outstanding_cents, 0),
    currency: 'CAD',
    invoices: open.map((i) => i.name),
    overdue: open.some((i) => i.status === 'overdue'),
  };
}

function invoicePage(account, pageParam) {
  const page = Math.max(1, Number.parseInt(pageParam, 10) || 1);
  const invoices = account.invoices.slice((page - 1) * PER_PAGE, page * PER_PAGE);
  return { invoices, page, per_page: PER_PAGE, has_more: account.invoices.length > page * PER_PAGE };
}

function checkout(state, res, customerId, kind, invoices = []) {
  const id = `cs_test_${randomUUID().replace(/-/g, '')}`;
  state.checkouts.set(id, { customerId, kind, invoices });
  json(res, 200, { url: `${state.origin}/checkout/${id}` });
}

const notFound = (res) => problem(res, 404, 'PAY_14', 'Not found', 'No such invoice or card.');

/** Stripe's hosted page, completed at once; then the service's return with a fresh token. */
function completeCheckout(state, id, res) {
  const session = state.checkouts.get(id);
  if (!session) return problem(res, 404, 'NOT_FOUND', 'Not Found', 'No such checkout session.');
  state.checkouts.delete(id);
  const account = accountOf(state, session.customerId);
  if (session.kind === 'mandate') {
    account.ppa = { method: 'acss_debit', payment_method: null, status: 'active' };
    res.writeHead(302, { ...SECURITY_HEADERS, Location: '/#/compte' });
    return res.end();
  }
  if (session.kind === 'setup') {
    account.cards.push({ id: `pm_${randomUUID().slice(0, 8)}`, brand: 'mastercard', last4: '5555', exp_month: 3, exp_year: 2031, default: account.cards.length === 0 });
  } else {
    for (const invoice of account.invoices.filter((i) => session.invoices.includes(i.name))) {
      invoice.outstanding_cents = 0;
      invoice.status = 'paid';
    }
  }
  const customer = CUSTOMERS.find((c) => c.customer === session.customerId);
  const token = mintDemoToken(customer);
  state.tokens.set(token, { sub: customer.customer, revoked: false });
  const page = session.kind === 'setup' ? 'carte-ajoutee' : 'paiement/reussi';
  res.writeHead(302, { ...SECURITY_HEADERS, Location: `/#/${page}?token=${token}` });
  res.end();
}

function pdf(res, name) {
  res.writeHead(200, {
    ...SECURITY_HEADERS, 'Content-Type': 'application/pdf', 'Content-Disposition': `inline; filename="${name}.pdf"`, 'Cache-Control': 'no-store',
  });
  res.end(PDF);
}

async function payInvoice(state, req, res, account, customerId, name) {
  const target = account.invoices.find((i) => i.name === name);
  if (!target) return notFound(res);
  const body = await readBody(req);
  if (!['card', 'klarna'].includes(body?.method)) return problem(res, 422, 'PAY_02', 'Unprocessable', 'method must be card or klarna.');
  if (!owed([target]).length) return problem(res, 409, 'PAY_11', 'Conflict', `Invoice ${name} is not payable (${target.status}).`);
  if (body.method === 'klarna' && target.outstanding_cents > KLARNA_LIMIT_CENTS) {
    return problem(res, 422, 'PAY_12', 'Unprocessable', 'Klarna is not offered for this payment.');
  }
  checkout(state, res, customerId, 'payment', [name]);
}

/** GET /payments/ppa's body: `status` null when never enrolled. */
function enrolment(account) {
  const row = account.ppa;
  return { enrolled: row?.status === 'active', method: row?.method ?? null, payment_method: row?.payment_method ?? null, status: row?.status ?? null };
}

/** PUT /payments/ppa: a saved card, bank debit (a mandate page), or `{enabled: false}`; like the service, anything else is 422 PAY_04. */
async function putEnrolment(state, req, res, account, customerId) {
  const body = await readBody(req);
  const bad = () => problem(res, 422, 'PAY_04', 'Bad query', 'Send {"method": "card", "payment_method": "pm_…"} or {"enabled": false}.');
  if (!body || typeof body !== 'object' || Object.keys(body).some((k) => !['enabled', 'method', 'payment_method'].includes(k))) return bad();
  if (body.enabled === false && !body.method && !body.payment_method) {
    if (account.ppa) account.ppa.status = 'cancelled';
    return json(res, 200, enrolment(account));
  }
  if (body.enabled === false) return bad();
  if (body.method === 'acss_debit') return checkout(state, res, customerId, 'mandate');
  if (body.method !== 'card' || typeof body.payment_method !== 'string') return bad();
  if (!account.cards.some((c) => c.id === body.payment_method)) return notFound(res);
  account.ppa = { method: 'card', payment_method: body.payment_method, status: 'active' };
  return json(res, 200, enrolment(account));
}

function setDefault(res, account, id) {
  if (!account.cards.some((c) => c.id === id)) return notFound(res);
  for (const card of account.cards) card.default = card.id === id;
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

function removeCard(res, account, id) {
  const at = account.cards.findIndex((c) => c.id === id);
  if (at < 0) return notFound(res);
  const [removed] = account.cards.splice(at, 1);
  if (removed.default && account.cards.length > 0) account.cards[0].default = true;
  res.writeHead(204, SECURITY_HEADERS);
  res.end();
}

/** The paths `routePayments` answers. */
export const PAYMENTS_PATH = /^\/(payments|checkout|billing-portal)\//;

/** Answers a request whose path matches PAYMENTS_PATH. */
export async function routePayments(state, req, url, res) {
  const { pathname } = url;
  const hosted = /^\/checkout\/([\w-]+)$/.exec(pathname);
  if (req.method === 'GET' && hosted) return completeCheckout(state, hosted[1], res);
  if (req.method === 'GET' && pathname.startsWith('/billing-portal/')) {
    res.writeHead(302, { ...SECURITY_HEADERS, Location: '/#/compte' });
    return res.end();
  }
  const current = session(state, req);
  if (!current) return problem(res, 401, 'AUTH_05', 'Unauthorized', 'A valid customer token is required.');
  const account = accountOf(state, current.sub);
  const key = `${req.method} ${pathname}`;
  if (key === 'GET /payments/balance') return json(res, 200, balance(account));
  if (key === 'GET /payments/invoices') return json(res, 200, invoicePage(account, url.searchParams.get('page')));
  if (key === 'POST /payments/pay-balance') {
    const open = owed(account.invoices);
    if (!open.length) return problem(res, 409, 'PAY_10', 'Conflict', 'Nothing is outstanding.');
    return checkout(state, res, current.sub, 'payment', open.map((i) => i.name));
  }
  if (key === 'POST /payments/save-card') return checkout(state, res, current.sub, 'setup');
  if (key === 'POST /payments/billing-portal') return json(res, 200, { url: `${state.origin}/billing-portal/${randomUUID()}` });
  if (key === 'GET /payments/methods') return json(res, 200, { methods: account.cards });
  if (key === 'GET /payments/ppa') return json(res, 200, enrolment(account));
  if (key === 'PUT /payments/ppa') return putEnrolment(state, req, res, account, current.sub);
  const [, name, action] = /^\/payments\/(?:invoices|pay-invoice|methods)\/([^/]+)(?:\/(pdf|default))?$/.exec(pathname) ?? [];
  const id = name && decodeURIComponent(name);
  if (req.method === 'GET' && action === 'pdf' && pathname.startsWith('/payments/invoices/')) {
    return account.invoices.some((i) => i.name === id) ? pdf(res, id) : notFound(res);
  }
  if (req.method === 'POST' && !action && pathname.startsWith('/payments/pay-invoice/')) {
    return payInvoice(state, req, res, account, current.sub, id);
  }
  if (req.method === 'POST' && action === 'default' && pathname.startsWith('/payments/methods/')) return setDefault(res, account, id);
  if (req.method === 'DELETE' && !action && pathname.startsWith('/payments/methods/')) return removeCard(res, account, id);
  return problem(res, 404, 'NOT_FOUND', 'Not Found', 'No such payments route.');
}
