// What every screen reads: the language (and t() in it) and the logged-in user, provided
// by the application shell through one Preact context.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from './api';
import { translate, type Lang } from './i18n';
import type { MessageKey } from './messages';

export interface AppState {
  lang: Lang;
  setLang: (lang: Lang) => void;
  user: User | null;
  setUser: (user: User | null) => void;
}

export const AppContext = createContext<AppState>(null as unknown as AppState);

export function useApp(): AppState {
  return useContext(AppContext);
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function useT(): Translate {
  const { lang } = useApp();
  return (key, params) => translate(lang, key, params);
}
