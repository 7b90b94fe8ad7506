// The service worker: keeps the application (its page and built files) and the answers
// data entry starts from (/api/me, the worklist, the forms opened) so that a form opens
// and takes values without a connection. Built as its own un-hashed file, dist/sw.js; the build
// writes the list of files and a build id into it (see vite.config.ts), so every build
// installs its own caches and drops the previous ones.
declare const self: ServiceWorkerGlobalScope & {
  __QPAN_BUILD__: string;
  __QPAN_PRECACHE__: string[];
};

const build = self.__QPAN_BUILD__;
const shellCache = `qpan-shell-${build}`;
const apiCache = `qpan-api-${build}`;
// Only what data entry needs to start: who is logged in, the worklist that leads to the
// forms, and the forms.
const cachedApi = [/^\/api\/me$/, /^\/api\/worklist$/, /^\/api\/forms\/[^/]+$/];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(shellCache);
    await cache.addAll(['./', ...self.__QPAN_PRECACHE__]);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const kept = new Set([shellCache, apiCache]);
    for (const name of await caches.keys()) if (name.startsWith('qpan-') && !kept.has(name)) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Writes, logins and other origins go to the network untouched.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    if (cachedApi.some((p) => p.test(url.pathname))) event.respondWith(networkFirst(request));
    return;
  }
  // Every screen is the one page (routes are in the hash); other files are built assets.
  if (request.mode !== 'navigate') event.respondWith(cacheFirst(request));
  else if (url.pathname === '/' || url.pathname === '/index.html') event.respondWith(networkFirst(request, './'));
});

// The page asks to keep the answers it fetched before this worker controlled it; and when
// the session changes (sign-in, sign-out) to forget the API's answers and keep who is now
// logged in (nobody: a 401, not kept), so one user's forms never open under another's name.
self.addEventListener('message', (event) => {
  const message = event.data as { kind?: string; urls?: unknown } | null;
  if (message?.kind === 'keep' && Array.isArray(message.urls)) {
    event.waitUntil(keepAnswers(message.urls.filter((u): u is string => typeof u === 'string')));
  } else if (message?.kind === 'session-changed') {
    event.waitUntil(caches.delete(apiCache).then(() => keepAnswers(['/api/me'])));
  }
});

async function keepAnswers(urls: string[]): Promise<void> {
  await Promise.all(urls.map(async (u) => {
    const url = new URL(u, self.location.href);
    if (url.origin !== self.location.origin || !cachedApi.some((p) => p.test(url.pathname))) return;
    await networkFirst(new Request(url.href, { credentials: 'same-origin' })).catch(() => undefined);
  }));
}

// The network's answer, kept when it is a 200; the kept one when the network fails. A
// navigation falls back to the page (`fallback`): every address is the same page.
async function networkFirst(request: Request, fallback?: string): Promise<Response> {
  const name = fallback ? shellCache : apiCache;
  try {
    const response = await fetch(request);
    if (response.status === 200) await keep(name, fallback ?? request, response.clone());
    return response;
  } catch (e) {
    const kept = await caches.match(fallback ?? request, { cacheName: name });
    if (kept) return kept;
    throw e;
  }
}

// Built files carry their content's hash in their name: a kept one is never stale.
async function cacheFirst(request: Request): Promise<Response> {
  const kept = await caches.match(request, { cacheName: shellCache });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) await keep(shellCache, request, response.clone());
  return response;
}

// The CSRF token of /api/me is never stored (the page keeps it in memory only and asks the
// server again once the connection is back).
async function keep(name: string, key: Request | string, response: Response): Promise<void> {
  const cache = await caches.open(name);
  const path = new URL(typeof key === 'string' ? key : key.url, self.location.href).pathname;
  if (path !== '/api/me') return cache.put(key, response);
  const body = (await response.json()) as Record<string, unknown>;
  delete body.csrfToken;
  const type = response.headers.get('Content-Type') ?? 'application/json';
  await cache.put(key, new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': type } }));
}

export {}; // a module: `self` above is this file's, typed as the worker's global
