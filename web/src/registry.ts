// Registry records as people read and filter them: a field's machine value as text in each
// language ("20/12/2021", "1.009", "Có", an option's name), the list's filter as the address
// and the API's query parameters, and a refusal's problems placed beside the fields or
// the file lines they name. No requests here; the screen is src/screens/registries.tsx.
import type { Registry, RegistryField, RecordProblem } from './api';
import { formatDate, formatNumber, parseMachineNumber } from './format';
import { translate, type Lang } from './i18n';

export function nameIn(item: { name_vi: string; name_en: string }, lang: Lang): string {
  return lang === 'en' ? item.name_en || item.name_vi : item.name_vi;
}

// The pack writes a registry's description in Vietnamese, then " — " and the English; a
// description without the English half is the same in both languages.
export function descriptionIn(text: string, lang: Lang): string {
  const at = text.lastIndexOf(' — ');
  if (at < 0) return text.trim();
  return (lang === 'en' ? text.slice(at + 3) : text.slice(0, at)).trim();
}

// A day in a register's Vietnamese way, two digits for day and month ("05/02/2016"); in
// English as the rest of the application writes it ("5 February 2016").
export function formatRecordDate(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return lang === 'vi' ? `${m[3]}/${m[2]}/${m[1]}` : formatDate(iso, lang);
}

export function isNumeric(field: RegistryField): boolean {
  return field.type === 'integer' || field.type === 'number';
}

// The name of a code field's option, or the code itself when the pack has no such option.
export function optionName(field: RegistryField, code: string, lang: Lang): string {
  const option = field.options?.find((o) => o.code === code);
  return option ? nameIn(option, lang) : code;
}

// A field's machine value ("2021-12-20", "67.716", "true", "van_nam") as a reader sees it;
// an absent or empty value is empty, and a value not in its type's form is shown as sent.
export function formatFieldValue(field: RegistryField, value: string | undefined, lang: Lang): string {
  if (value === undefined || value === null || value === '') return '';
  switch (field.type) {
    case 'date':
      return formatRecordDate(value, lang);
    case 'integer':
    case 'number': {
      const n = parseMachineNumber(value);
      return n === null ? value : formatNumber(n, lang, 6);
    }
    case 'boolean':
      return value === 'true' ? translate(lang, 'yes') : value === 'false' ? translate(lang, 'no') : value;
    case 'code':
      return optionName(field, value, lang);
    default:
      return value;
  }
}

// The first date field: the one a date range filters on unless the user picks another.
export function defaultDateField(registry: Registry): string | undefined {
  return registry.fields.find((f) => f.type === 'date')?.code;
}

// The list's question: records of a unit and the units under it, a date range over a date
// field, and one option per code field.
export interface RecordFilter {
  ou: string;
  from: string;
  to: string;
  date: string;
  equals: Record<string, string>;
}

const isoDay = /^\d{4}-\d{2}-\d{2}$/;

// The filter an address names (#/registries/CODE?ou=12&from=…&f.partner=van_nam); fields
// the registry does not have, and days not in machine form, are left out.
export function filterFromQuery(query: URLSearchParams, registry: Registry, scope = ''): RecordFilter {
  const dates = registry.fields.filter((f) => f.type === 'date').map((f) => f.code);
  const date = query.get('date') ?? '';
  const equals: Record<string, string> = {};
  for (const f of registry.fields) {
    const value = query.get(`f.${f.code}`);
    if (f.type === 'code' && value) equals[f.code] = value;
  }
  const day = (name: string) => {
    const text = query.get(name) ?? '';
    return isoDay.test(text) ? text : '';
  };
  return {
    ou: (query.get('ou') ?? '').trim() || scope,
    from: day('from'),
    to: day('to'),
    date: dates.includes(date) ? date : defaultDateField(registry) ?? '',
    equals,
  };
}

// The filter as query parameters, the same for the address and the API; the date field is
// named only when a range uses it.
export function filterParams(filter: RecordFilter): Record<string, string | undefined> {
  const ranged = Boolean(filter.from || filter.to);
  const params: Record<string, string | undefined> = {
    ou: filter.ou || undefined,
    from: filter.from || undefined,
    to: filter.to || undefined,
    date: ranged && filter.date ? filter.date : undefined,
  };
  for (const code of Object.keys(filter.equals).sort()) if (filter.equals[code]) params[`f.${code}`] = filter.equals[code];
  return params;
}

// The field a problem of a refused write names: "persons", or "fields.persons" as a body's
// path; "orgUnit" is the record's unit. Null when it names none of them.
export function problemField(problem: RecordProblem, codes: readonly string[]): string | null {
  const named = (problem.field ?? '').replace(/^fields[./]/, '').replace(/^\/?fields\//, '');
  if (named === 'orgUnit' || named === 'org_unit') return 'orgUnit';
  return codes.includes(named) ? named : null;
}

// A refusal's problems by the field they are shown beside, and those that name no field.
export function problemsByField(problems: RecordProblem[], codes: readonly string[]): { byField: Record<string, string[]>; other: RecordProblem[] } {
  const byField: Record<string, string[]> = {};
  const other: RecordProblem[] = [];
  for (const p of problems) {
    const field = problemField(p, codes);
    if (field === null) other.push(p);
    else (byField[field] ??= []).push(p.reason);
  }
  return { byField, other };
}

// A problem of a refused file, where it is: "Dòng 7, cột 3 (persons): …" (the line is the
// Excel row or the CSV line, as the file's reader counts them).
export function importProblemText(problem: RecordProblem, lang: Lang): string {
  const vi = lang === 'vi';
  const place: string[] = [];
  // Line and column 0 mean "not known" (a file that cannot be read, a whole row).
  if (problem.line) place.push(`${vi ? 'dòng' : 'row'} ${problem.line}`);
  if (problem.column) place.push(`${vi ? 'cột' : 'column'} ${problem.column}`);
  let head = place.join(', ');
  head = head.charAt(0).toUpperCase() + head.slice(1);
  if (problem.field) head = head ? `${head} (${problem.field})` : problem.field;
  return head ? `${head}: ${problem.reason}` : problem.reason;
}

// The fields of a write: every value the form holds, text trimmed, empty ones left out
// (a field without a value has none).
export function fieldsToWrite(registry: Registry, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of registry.fields) {
    const value = (values[f.code] ?? '').trim();
    if (value !== '') out[f.code] = value;
  }
  return out;
}
