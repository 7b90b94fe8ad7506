// Values typed without a connection, kept in IndexedDB until they reach the server: one
// entry per user and cell, each with the ETag the value was first typed against, so the
// server can tell a value changed meanwhile (412) instead of being silently overwritten.
// The rules that decide what an entry becomes are pure functions, tested in queue.test.ts.

export interface QueuedValue {
  user: string; // whose session may send it
  ds: string;
  ou: string;
  pe: string;
  element: string;
  categoryOptionCombo: string;
  value: string;
  comment: string;
  etag: string | undefined; // the ETag the cell showed when it was first typed (none: new)
  queuedAt: number; // of the first typing: the queue is sent in this order
  // Why the server refused it: the other person's value (412), or the API's message.
  conflict?: { value: string | null; etag: string | null; storedBy: string };
  problem?: string;
}

export type CellKey = Pick<QueuedValue, 'user' | 'ds' | 'ou' | 'pe' | 'element' | 'categoryOptionCombo'>;

export function keyOf(c: CellKey): string {
  return [c.user, c.ds, c.ou, c.pe, c.element, c.categoryOptionCombo].join('\u0000');
}

// A cell typed again before it was sent: the newer value, the original ETag and place in
// the queue, and no refusal (the server has not judged the new value yet).
export function replaceQueued(earlier: QueuedValue | undefined, typed: QueuedValue): QueuedValue {
  if (!earlier) return { ...typed, conflict: undefined, problem: undefined };
  return { ...typed, etag: earlier.etag, queuedAt: earlier.queuedAt, conflict: undefined, problem: undefined };
}

// The entry after `sent` was written and the server answered `etag`: gone, unless the cell
// was typed again while the request travelled; then the newer value stays, now against our
// own write (its ETag), so that sending it is not taken for someone else's change.
export function afterSent(stored: QueuedValue | undefined, sent: QueuedValue, etag: string | null): QueuedValue | undefined {
  if (!stored || (stored.value === sent.value && stored.comment === sent.comment)) return undefined;
  return { ...stored, etag: etag ?? undefined };
}

// What waits to be sent automatically: the user's entries the server has not refused, oldest first.
export function sendable(entries: QueuedValue[], user: string): QueuedValue[] {
  return entries.filter((e) => e.user === user && !e.conflict && !e.problem).sort((a, b) => a.queuedAt - b.queuedAt);
}

const dbName = 'qpan-offline';
const storeName = 'values';
let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((e) => {
    opened = null;
    throw e;
  });
  return opened;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Runs `work` in one read-write transaction, so a read and the write it decides are atomic.
async function change(work: (store: IDBObjectStore) => Promise<void>): Promise<void> {
  const tx = (await database()).transaction(storeName, 'readwrite');
  const finished = new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  await work(tx.objectStore(storeName));
  await finished;
  notify();
}

// Reads and writes of one key inside a transaction; IndexedDB keeps the transaction open
// only while requests are chained from its own callbacks, which awaiting these does.
async function rewrite(key: string, next: (stored: QueuedValue | undefined) => QueuedValue | undefined): Promise<void> {
  await change(async (store) => {
    const result = next(await done(store.get(key) as IDBRequest<QueuedValue | undefined>));
    if (result) await done(store.put(result, key));
    else await done(store.delete(key));
  });
}

export function enqueue(typed: QueuedValue): Promise<void> {
  return rewrite(keyOf(typed), (earlier) => replaceQueued(earlier, typed));
}

export function settleSent(sent: QueuedValue, etag: string | null): Promise<void> {
  return rewrite(keyOf(sent), (stored) => afterSent(stored, sent, etag));
}

// Keeps a refused entry with the reason, for the cell to show until the user decides.
export function markRefused(sent: QueuedValue, refusal: Pick<QueuedValue, 'conflict' | 'problem'>): Promise<void> {
  return rewrite(keyOf(sent), (stored) => stored && { ...stored, ...refusal });
}

// The cell's entry is no longer wanted (the user took the other value, or a direct save
// superseded it).
export function discard(cell: CellKey): Promise<void> {
  return rewrite(keyOf(cell), () => undefined);
}

export async function queuedFor(user: string): Promise<QueuedValue[]> {
  const tx = (await database()).transaction(storeName, 'readonly');
  const all = await done(tx.objectStore(storeName).getAll() as IDBRequest<QueuedValue[]>);
  return all.filter((e) => e.user === user).sort((a, b) => a.queuedAt - b.queuedAt);
}

// Listeners told after every change (the header's count, an open form).
const listeners = new Set<() => void>();

export function onQueueChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  for (const listener of listeners) listener();
}
