// The offline queue's rules: a cell typed again keeps its first ETag and place, a sent
// value leaves the queue unless typed again meanwhile, and only a user's unrefused values
// are sent, oldest first.
import { describe, expect, it } from 'vitest';
import { afterSent, keyOf, replaceQueued, sendable, type QueuedValue } from './queue';

const typed = (change: Partial<QueuedValue> = {}): QueuedValue => ({
  user: 'xa.taleng', ds: 'ds.antt.commune.monthly', ou: '03400', pe: '202006',
  element: 'crime.ttxh.cases', categoryOptionCombo: '', value: '3', comment: '',
  etag: '"v1"', queuedAt: 100, ...change,
});

describe('offline queue', () => {
  it('keys one entry per user and cell', () => {
    expect(keyOf(typed())).toBe(keyOf(typed({ value: '9', etag: '"v2"', queuedAt: 5 })));
    expect(keyOf(typed())).not.toBe(keyOf(typed({ user: 'xem.laocai' })));
    expect(keyOf(typed())).not.toBe(keyOf(typed({ categoryOptionCombo: 'male' })));
    expect(keyOf(typed({ element: 'a', categoryOptionCombo: 'b' }))).not.toBe(keyOf(typed({ element: 'ab', categoryOptionCombo: '' })));
  });

  it('a cell typed again takes the new value but keeps the ETag and place of the first typing', () => {
    const first = typed({ value: '3', etag: '"v1"', queuedAt: 100 });
    const again = replaceQueued(first, typed({ value: '4', comment: 'sổ', etag: '"v7"', queuedAt: 900 }));
    expect(again).toMatchObject({ value: '4', comment: 'sổ', etag: '"v1"', queuedAt: 100 });
  });

  it('a value typed again is judged afresh: an earlier refusal is dropped', () => {
    const refused = typed({ conflict: { value: '8', etag: '"v2"', storedBy: 'tinh.laichau' }, problem: undefined });
    const again = replaceQueued(refused, typed({ value: '5' }));
    expect(again.conflict).toBeUndefined();
    expect(again.problem).toBeUndefined();
    expect(again.etag).toBe('"v1"');
    expect(replaceQueued(undefined, typed({ problem: 'x' })).problem).toBeUndefined();
  });

  it('a sent value leaves the queue; one typed while it travelled stays, against our own write', () => {
    const sent = typed({ value: '3' });
    expect(afterSent(sent, sent, '"v2"')).toBeUndefined();
    expect(afterSent(undefined, sent, '"v2"')).toBeUndefined();
    const newer = typed({ value: '6' });
    expect(afterSent(newer, sent, '"v2"')).toMatchObject({ value: '6', etag: '"v2"', queuedAt: 100 });
    expect(afterSent(typed({ comment: 'mới' }), sent, '"v2"')).toMatchObject({ comment: 'mới', etag: '"v2"' });
  });

  it('sends only the user’s unrefused values, oldest first', () => {
    const entries = [
      typed({ element: 'late', queuedAt: 300 }),
      typed({ element: 'early', queuedAt: 100 }),
      typed({ element: 'other user', user: 'tinh.laichau', queuedAt: 50 }),
      typed({ element: 'conflict', queuedAt: 10, conflict: { value: '1', etag: null, storedBy: 'x' } }),
      typed({ element: 'problem', queuedAt: 20, problem: 'giá trị không hợp lệ' }),
    ];
    expect(sendable(entries, 'xa.taleng').map((e) => e.element)).toEqual(['early', 'late']);
  });
});
