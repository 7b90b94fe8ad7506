// The hash routes: what a bookmarked address means, and addresses built back from it.
import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router';

describe('parseHash', () => {
  const golden: [string, string[], Record<string, string>][] = [
    ['', [], {}],
    ['#/', [], {}],
    ['#/units/12?at=2020-01-01', ['units', '12'], { at: '2020-01-01' }],
    ['#/units?q=lai%20chau', ['units'], { q: 'lai chau' }],
    ['#/analytics?dx=a,b&ou=12&pe=201601..201806', ['analytics'], { dx: 'a,b', ou: '12', pe: '201601..201806' }],
    ['#/registries/reg.foreign.delegation_in?ou=12&from=2021-12-01&date=date_from&f.partner=van_nam', ['registries', 'reg.foreign.delegation_in'],
      { ou: '12', from: '2021-12-01', date: 'date_from', 'f.partner': 'van_nam' }],
    ['#/registries/reg.award/records/17?ou=12', ['registries', 'reg.award', 'records', '17'], { ou: '12' }],
  ];
  for (const [hash, path, query] of golden) {
    it(hash || '(empty)', () => {
      const route = parseHash(hash);
      expect(route.path).toEqual(path);
      expect(Object.fromEntries(route.query)).toEqual(query);
    });
  }
});

describe('href', () => {
  it('drops empty parameters and reads back the same', () => {
    const link = href(['units', '03400'], { at: '2020-01-01', q: '', x: undefined });
    expect(link).toBe('#/units/03400?at=2020-01-01');
    const route = parseHash(link);
    expect(route.path).toEqual(['units', '03400']);
    expect(route.query.get('at')).toBe('2020-01-01');
  });
  it('escapes what is not a plain path segment', () => {
    expect(href(['units', 'a/b'], { q: 'Lai Châu' })).toBe('#/units/a%2Fb?q=Lai+Ch%C3%A2u');
    expect(parseHash(href(['units', 'a/b'], { q: 'Lai Châu' })).query.get('q')).toBe('Lai Châu');
  });
});
