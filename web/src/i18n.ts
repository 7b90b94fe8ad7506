// The language of the application: Vietnamese unless the user chose English, remembered in
// localStorage (the only thing the application keeps there), and t() to read the message
// table in it. Components re-render on a switch through the language signal in state.ts.
import { en, vi, type MessageKey } from './messages';

export type Lang = 'vi' | 'en';

const storageKey = 'qpan.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(storageKey) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi'; // storage refused (private mode): Vietnamese
  }
}

export function storeLang(lang: Lang): void {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // Not remembered; the switch still applies to this page.
  }
  document.documentElement.lang = lang;
}

// A message in `lang` with its {placeholders} filled.
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  let text = (lang === 'en' ? en : vi)[key];
  if (params) {
    for (const [name, value] of Object.entries(params)) text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

// A message keyed by a value the API sends (a role, a level): the key if the table has it.
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(vi, key);
}
