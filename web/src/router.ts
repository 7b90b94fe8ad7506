// Routing by the URL's hash (#/units/12?at=2020-01-01): every screen has an address that
// can be bookmarked and shared, and the server's static files need no rewrite rule (it
// answers 404 to any path that is not a file).
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  path: string[]; // "#/units/12" → ["units", "12"]
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const [pathText, queryText = ''] = text.split('?', 2);
  const path = pathText.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  return { path, query: new URLSearchParams(queryText) };
}

// The hash of a screen: href(['units', '12'], {at: '2020-01-01'}) → "#/units/12?at=2020-01-01".
export function href(path: string[], query: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, value);
  const text = search.toString();
  return `#/${path.map((part) => encodeURIComponent(part)).join('/')}${text ? `?${text}` : ''}`;
}

export function navigate(path: string[], query: Record<string, string | undefined> = {}): void {
  window.location.hash = href(path, query);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
