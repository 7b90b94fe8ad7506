// The page's side of the service worker (sw.ts): registers it, asks it to keep the API
// answers this page fetched before it took control, and tells it when the session changes
// (it then forgets the API's answers kept for the previous user).

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  // The first page load fetched /api/me and maybe a form before the worker controlled it.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    const urls = performance.getEntriesByType('resource').map((e) => e.name)
      .filter((u) => new URL(u).pathname.startsWith('/api/'));
    navigator.serviceWorker.controller?.postMessage({ kind: 'keep', urls });
  });
  navigator.serviceWorker.register('./sw.js', { scope: './' }).catch(() => {
    // No worker (an older browser, `npm run dev`): the application works, only not offline.
  });
}

export function sessionChanged(): void {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.controller?.postMessage({ kind: 'session-changed' });
}
