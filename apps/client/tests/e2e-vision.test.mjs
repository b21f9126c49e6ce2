// vision-ocr's staff page (GET /vision/) in a real Chromium, through a real hub only
// (scripts/e2e.sh): this machine is staff (the hub's LOOPBACK_IS_STAFF); a label photo is chosen,
// sent with fetch as multipart with its own Idempotency-Key, and the page shows what the service
// answered: the fields read, or the problem (503 VIS_12 where Tesseract is missing). The label is
// one of the OCR fixtures (E2E_LABEL_PNG, written by `cargo run -p ocr-fixtures --example samples`),
// else a small blank PNG made here.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { CHROMIUM_PATH, SCREENSHOT_DIR, launchBrowser, newPage } from './helpers.mjs';

const HUB_URL = process.env.HUB_URL?.replace(/\/+$/, '');
const skip = !existsSync(CHROMIUM_PATH)
  ? `no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-services.sh (Debian's chromium) or set CHROMIUM_PATH`
  : !HUB_URL && 'HUB_URL is unset: the OCR page is tested through a real hub only (scripts/e2e.sh)';

/** A white `width`×`height` greyscale PNG with a black bar, for when no fixture was written. */
function blankPng(width = 320, height = 120) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(width + 1, 0xff);
    row[0] = 0; // no filter
    if (y > 50 && y < 70) row.fill(0, 21, width - 20);
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The label photo to upload. */
function labelPhoto() {
  const fixture = process.env.E2E_LABEL_PNG;
  if (fixture && existsSync(fixture)) return fixture;
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'vision-e2e-')), 'label.png');
  writeFileSync(file, blankPng());
  return file;
}

describe('the OCR staff page in Chromium through the hub', { skip }, () => {
  let browser;
  let tab;

  before(async () => {
    browser = await launchBrowser();
    tab = await newPage(browser);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
  });

  after(async () => {
    await tab?.context.close();
    await browser?.close();
  });

  const plain = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

  test('a label photo sent from the page shows the answer the service gave', async () => {
    const { page } = tab;
    const opened = await page.goto(`${HUB_URL}/vision/`);
    assert.equal(opened.status(), 200);
    assert.match(await page.title(), /Lire une facture/);

    await page.check('input[name="kind"][value="equipment"]');
    assert.equal(await page.isVisible('#draft-choice'), false, 'no draft for a label');
    await page.setInputFiles('#file', labelPhoto());
    const answered = page.waitForResponse(
      (r) => r.url().endsWith('/vision/equipment') && r.request().method() === 'POST',
      { timeout: 60_000 },
    );
    await page.click('#send');
    const response = await answered;
    const status = response.status();
    const body = await response.json();
    const sent = response.request().headers();
    assert.match(sent['idempotency-key'], /^vision-page-equipment-[0-9a-f]{64}$/, 'a key made from the file');
    assert.match(sent['content-type'], /^multipart\/form-data/);
    assert.ok([200, 503].includes(status), `${status} ${JSON.stringify(body)}`);

    if (status === 200) {
      const fields = page.locator('[data-testid="result"] [data-testid="fields"]');
      await fields.waitFor();
      assert.match(await plain(page.locator('[data-testid="provider"]')), new RegExp(body.provider.name));
      if (body.label.serial) assert.match(await plain(fields), new RegExp(body.label.serial));
      const equipment = page.locator('[data-testid="equipment"]');
      if (body.equipment) assert.match(await plain(equipment), new RegExp(body.equipment.name));
    } else {
      const problem = page.locator('[data-testid="problem"]');
      await problem.waitFor();
      const shown = await plain(problem);
      assert.match(shown, new RegExp(`503 ${body.code}`));
      if (body.detail) assert.ok(shown.includes(body.detail.replace(/\s+/g, ' ').trim()), shown);
    }
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'vision-label.png'), fullPage: true });
    assert.deepEqual(tab.cspViolations, [], 'Content-Security-Policy violations');
    assert.deepEqual(tab.errors, [], 'uncaught page errors');
  });
});
