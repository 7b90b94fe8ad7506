// Sends the values that waited for a connection, oldest first, each against the ETag it
// was typed over: a 412 is kept as a conflict for the user to decide, never overwritten.
// Only under the session of the user who typed them. An open form listens (onSendResult)
// to show each cell's outcome; a form opened later reads the outcome from the queue.
import * as api from '../api';
import { markRefused, queuedFor, sendable, settleSent, type QueuedValue } from './queue';

export type SendResult =
  | { kind: 'sent'; entry: QueuedValue; etag: string | null; warnings: api.RuleWarning[] }
  | { kind: 'refused'; entry: QueuedValue; conflict?: QueuedValue['conflict']; problem?: string };

const listeners = new Set<(result: SendResult) => void>();

export function onSendResult(listener: (result: SendResult) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function tell(result: SendResult): void {
  for (const listener of listeners) listener(result);
}

let running: Promise<void> | null = null;
let askedAgainFor: string | null = null;

// Sends `user`'s queue; a call while a sending runs makes it look at the queue once more
// when it ends (values typed meanwhile), rather than send the same entry twice at once.
export function sendQueued(user: string): Promise<void> {
  if (running) {
    askedAgainFor = user;
    return running;
  }
  running = (async () => {
    for (let next: string | null = user; next !== null; next = askedAgainFor) {
      askedAgainFor = null;
      await sendAll(next);
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

async function sendAll(user: string): Promise<void> {
  if (!navigator.onLine || sendable(await queuedFor(user), user).length === 0) return;
  // The server's word on whose session this is (and its CSRF token), not a kept copy.
  const session = await api.me().catch(() => null);
  if (session?.username !== user) return;
  // Just after the link returns, the worker may still answer /api/me from its copy, which
  // holds no CSRF token: every write would be refused (403). Wait for the next try.
  if (!api.hasCsrfToken()) return;
  for (;;) {
    const [entry] = sendable(await queuedFor(user), user);
    if (!entry) return;
    try {
      const answer = await api.putValue({
        dataElement: entry.element, period: entry.pe, orgUnit: entry.ou,
        categoryOptionCombo: entry.categoryOptionCombo, value: entry.value, comment: entry.comment,
      }, entry.etag);
      await settleSent(entry, answer.etag);
      tell({ kind: 'sent', entry, etag: answer.etag, warnings: answer.warnings });
    } catch (e) {
      if (!(e instanceof api.ApiError)) throw e;
      // No link, no session or a server in trouble: everything waits for the next try.
      if (e.code === 'network' || e.status === 401 || e.status === 429 || e.status >= 500) return;
      const refusal = e.status === 412
        ? { conflict: api.conflictOf(e) ?? { value: null, etag: null, storedBy: '' } }
        : { problem: api.refusalText(e) };
      await markRefused(entry, refusal);
      tell({ kind: 'refused', entry, ...refusal });
    }
  }
}
