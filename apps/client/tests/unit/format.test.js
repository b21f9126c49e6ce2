import { describe, expect, test } from 'vitest';
import { formatCents, formatDate, formatRate } from '../../src/i18n/format.js';

// Intl separates with no-break spaces (U+00A0 before `$`, U+202F or U+00A0 for thousands).
const plain = (text) => text.replace(/\s/g, ' ');

describe('amounts, dates and tax rates', () => {
  test('cents read as Canadian dollars: 114,98 $ in French, $114.98 in English', () => {
    expect(plain(formatCents(11498, 'fr'))).toBe('114,98 $');
    expect(formatCents(11498, 'en')).toBe('$114.98');
    expect(plain(formatCents(0, 'fr'))).toBe('0,00 $');
    expect(formatCents(5, 'en')).toBe('$0.05');
    expect(plain(formatCents(123456, 'fr'))).toBe('1 234,56 $');
    expect(formatCents(123456, 'en')).toBe('$1,234.56');
  });

  test('the French amount keeps the dollar sign on the same line', () => {
    expect(formatCents(11498, 'fr')).toMatch(/^114,98[\u00a0\u202f]\$$/);
  });

  test('an invoice date is the day written, whatever the time zone', () => {
    expect(formatDate('2026-12-01', 'fr')).toBe('1 déc. 2026');
    expect(formatDate('2026-12-01', 'en')).toBe('Dec 1, 2026');
    expect(formatDate('not a date', 'fr')).toBe('not a date');
  });

  test('tax rates as printed on Quebec invoices', () => {
    expect(formatRate(5, 'fr')).toBe('5');
    expect(formatRate(9.975, 'fr')).toBe('9,975');
    expect(formatRate(9.975, 'en')).toBe('9.975');
  });
});
