import { describe, expect, test } from 'vitest';
import { stripTokenFromUrl } from '../../src/stores/customer.js';
import { fakeBrowser } from './fixtures.js';

describe('stripTokenFromUrl', () => {
  test('a token in the fragment is taken out with replaceState, keeping the history state', () => {
    const { loc, hist, calls } = fakeBrowser('https://portail.example/#/?token=abc.def.ghi');
    expect(stripTokenFromUrl(loc, hist)).toBe('abc.def.ghi');
    expect(calls).toEqual([{ state: { kept: true }, to: '/#/' }]);
  });

  test('other fragment and query parameters survive', () => {
    const { loc, hist, calls } = fakeBrowser('https://portail.example/?utm=x#/paiement/reussi?token=t.t.t&tab=2');
    expect(stripTokenFromUrl(loc, hist)).toBe('t.t.t');
    expect(calls[0].to).toBe('/?utm=x#/paiement/reussi?tab=2');
  });

  test('a token misplaced in the query string is removed too', () => {
    const { loc, hist, calls } = fakeBrowser('https://portail.example/?token=q.q.q#/');
    expect(stripTokenFromUrl(loc, hist)).toBe('q.q.q');
    expect(calls[0].to).toBe('/#/');
  });

  test('an empty token parameter is removed and gives nothing', () => {
    const { loc, hist, calls } = fakeBrowser('https://portail.example/#/?token=');
    expect(stripTokenFromUrl(loc, hist)).toBeNull();
    expect(calls[0].to).toBe('/#/');
  });

  test('a URL without a token is left alone', () => {
    const { loc, hist, calls } = fakeBrowser('https://portail.example/#/login?expired=1');
    expect(stripTokenFromUrl(loc, hist)).toBeNull();
    expect(calls).toEqual([]);
  });
});
