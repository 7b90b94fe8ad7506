// Review reports as the screen asks for them: a template's period types in words ("quý,
// 6 tháng"), the forms of period code it takes with an example of each, and the question
// (unit, period, day of issue) read from the address and written back to it. No requests
// here; the screen is src/screens/reports.tsx, the API's addresses are in api.ts.
import type { ReportQuestion } from './api';
import { hasMessage, translate, type Lang } from './i18n';

// A period code of each type, as the server reads them (src/core/period.cc); a range of
// months may also be written as a range of years or quarters.
const examples: Record<string, string[]> = {
  day: ['20220315'],
  month: ['202203'],
  quarter: ['2022Q1'],
  six_month: ['2022S1'],
  year: ['2021'],
  five_year: ['2016-2020'],
  month_range: ['201601..201806', '2016..2020'],
};

// A period type in words; a type this application does not know, as the server names it.
export function periodTypeName(type: string, lang: Lang): string {
  const key = `periodType.${type}`;
  return hasMessage(key) ? translate(lang, key) : type;
}

// The period types a template is written for, in words: "quý, 6 tháng".
export function periodTypesText(types: readonly string[], lang: Lang): string {
  return types.map((type) => periodTypeName(type, lang)).join(', ');
}

// The forms of period code a template takes, each with examples:
// "quý, ví dụ 2022Q1; 6 tháng, ví dụ 2022S1".
export function periodHint(types: readonly string[], lang: Lang): string {
  return types.map((type) => {
    const shown = examples[type];
    const name = periodTypeName(type, lang);
    return shown ? translate(lang, 'periodForm', { type: name, examples: shown.join(', ') }) : name;
  }).join('; ');
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

// The question an address names (#/reports/CODE?ou=12&pe=201601..201806&date=2018-07-15):
// the unit defaults to the caller's scope; a day not in machine form is left out.
export function questionFromQuery(query: URLSearchParams, scope = ''): Required<ReportQuestion> {
  const date = (query.get('date') ?? '').trim();
  return {
    ou: (query.get('ou') ?? '').trim() || scope,
    pe: (query.get('pe') ?? '').trim(),
    date: isoDay.test(date) ? date : '',
  };
}

// The question as the address's parameters, the same names the API takes; empty ones left out.
export function questionParams(q: ReportQuestion): Record<string, string | undefined> {
  return { ou: q.ou.trim() || undefined, pe: q.pe.trim() || undefined, date: q.date?.trim() || undefined };
}
