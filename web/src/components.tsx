// Small pieces the screens share: an error box with the API's message, a labelled field,
// a loading line, the page title that takes focus when a screen opens, and a screen loaded
// on demand (its code is a separate chunk fetched the first time it is shown).
import type { ComponentChildren, ComponentType } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { useT } from './state';

export function ErrorBox({ error }: { error: unknown }) {
  const t = useT();
  if (!error) return null;
  const text = error instanceof ApiError && error.code === 'network'
    ? t('networkError')
    : error instanceof Error ? error.message : String(error);
  return <p class="error" role="alert">{text}</p>;
}

export function Loading() {
  const t = useT();
  return <p class="muted" role="status">{t('loading')}</p>;
}

// The screen's heading: focused when the screen opens so a screen reader announces it and
// the keyboard starts from the top of the new content.
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return <h1 tabIndex={-1} ref={ref}>{children}</h1>;
}

export function Field(props: {
  id: string;
  label: string;
  hint?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <p class="hint" id={`${props.id}-hint`}>{props.hint}</p>}
    </div>
  );
}

// A table that scrolls sideways on a narrow screen; the scrolling region is keyboard
// reachable and named. `columns` are the header cells, numeric ones right-aligned. With
// `stacked`, a phone shows each row as a card of "label: value" lines instead (its cells
// carry their column's label in data-label). `foot` are rows under the body (totals).
export function ScrollTable(props: {
  label: string;
  testId: string;
  columns: { key: string; label: string; numeric?: boolean }[];
  stacked?: boolean;
  children: ComponentChildren;
  foot?: ComponentChildren;
}) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      <table data-testid={props.testId} class={props.stacked ? 'stacked' : undefined}>
        <thead>
          <tr>
            {props.columns.map((c) => <th scope="col" key={c.key} class={c.numeric ? 'num' : undefined}>{c.label}</th>)}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
        {props.foot && <tfoot>{props.foot}</tfoot>}
      </table>
    </div>
  );
}

type Loader = () => Promise<{ default: ComponentType<any> }>;

// A screen whose module is imported the first time it is shown.
export function Lazy({ load, props }: { load: Loader; props?: Record<string, unknown> }) {
  const [screen, setScreen] = useState<{ Component: ComponentType<any> } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    load().then((m) => live && setScreen({ Component: m.default }), (e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [load]);
  if (error) return <ErrorBox error={error} />;
  if (!screen) return <Loading />;
  return <screen.Component {...props} />;
}

// Data fetched for a screen: re-fetched when `key` changes, stale answers dropped.
export function useLoad<T>(key: string | null, fetcher: () => Promise<T>) {
  const [state, setState] = useState<{ key: string | null; data?: T; error?: unknown }>({ key: null });
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState({ key });
    fetcher().then(
      (data) => live && setState({ key, data }),
      (error) => live && setState({ key, error }),
    );
    return () => {
      live = false;
    };
  }, [key]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: key !== null && (!current || (state.data === undefined && state.error === undefined)),
  };
}
