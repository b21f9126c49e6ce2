// Prints the size of the built JavaScript, raw and gzipped, against the 100 KiB budget of
// issue 4. Reported, not enforced: `npm run size` after `npm run build`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 100 * 1024;
const assets = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'assets');
const files = readdirSync(assets).filter((name) => name.endsWith('.js'));
let raw = 0;
let gzipped = 0;
for (const name of files) {
  const bytes = readFileSync(path.join(assets, name));
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const verdict = gzipped < BUDGET ? 'under' : 'OVER';
console.log(`built JS: ${files.length} file(s), ${kib(raw)} raw, ${kib(gzipped)} gzipped (${verdict} the ${kib(BUDGET)} budget)`);
