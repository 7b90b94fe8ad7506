// The message table: both languages say something for every key, with the same
// {placeholders}, so a switch of language never shows a raw key or an unfilled gap.
import { describe, expect, it } from 'vitest';
import { translate } from './i18n';
import { en, vi, type MessageKey } from './messages';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('messages', () => {
  for (const key of Object.keys(vi) as MessageKey[]) {
    it(key, () => {
      expect(vi[key].trim()).not.toBe('');
      expect(en[key].trim()).not.toBe('');
      expect(placeholders(en[key])).toEqual(placeholders(vi[key]));
    });
  }
  it('fills placeholders', () => {
    expect(translate('vi', 'children', { count: 8 })).toBe('Đơn vị trực thuộc (8)');
    expect(translate('en', 'welcome', { name: 'An' })).toBe('Welcome, An');
  });
});
