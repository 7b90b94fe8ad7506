// Registry records as people read them, the list's filter as an address and the API's
// query, and a refusal's problems placed beside fields or file lines — on the register of
// delegations received as packs/qpan-vn/registries.json declares it.
import { describe, expect, it } from 'vitest';
import type { Registry, RegistryField } from './api';
import {
  descriptionIn, defaultDateField, fieldsToWrite, filterFromQuery, filterParams, formatFieldValue, formatRecordDate,
  importProblemText, problemField, problemsByField,
} from './registry';

const partner: RegistryField = {
  code: 'partner', name_vi: 'Đối tác', name_en: 'Partner', type: 'code', required: true,
  options: [
    { code: 'van_nam', name_vi: 'Tỉnh Vân Nam, Trung Quốc', name_en: 'Yunnan Province, China' },
    { code: 'bac_lao', name_vi: '3 tỉnh Bắc Lào', name_en: 'Three northern provinces of Laos' },
  ],
};
const field = (code: string, type: RegistryField['type'], required = true): RegistryField =>
  ({ code, name_vi: code, name_en: code, type, required });

const delegationIn: Registry = {
  code: 'reg.foreign.delegation_in',
  name_vi: 'Sổ theo dõi đoàn vào (đoàn nước ngoài chính thức)',
  name_en: 'Register of official delegations received',
  description: 'Chỉ đoàn chính thức của đối tác nước ngoài. — Official foreign delegations only.',
  fields: [partner, field('delegation', 'text'), field('date_from', 'date'), field('date_to', 'date'), field('persons', 'integer'),
    field('worked_with', 'boolean'), field('budget_vnd', 'number', false), field('host', 'unit', false), field('note', 'text', false)],
  lifecycle: null,
  counts: [{ element: 'foreign.in.delegations', name_vi: 'Số đoàn khách nước ngoài đến thăm, làm việc', name_en: 'Foreign delegations received' }],
};
const byCode = (code: string) => delegationIn.fields.find((f) => f.code === code)!;

describe('formatFieldValue', () => {
  // field, machine value, Vietnamese, English
  const golden: [string, string | undefined, string, string][] = [
    ['date_from', '2021-12-20', '20/12/2021', '20 December 2021'],
    ['date_from', '2016-02-05', '05/02/2016', '5 February 2016'],
    ['persons', '1009', '1.009', '1,009'],
    ['persons', '12', '12', '12'],
    ['budget_vnd', '67.716', '67,716', '67.716'],
    ['budget_vnd', '41570000', '41.570.000', '41,570,000'],
    ['budget_vnd', '-1234.5', '-1.234,5', '-1,234.5'],
    ['worked_with', 'true', 'Có', 'Yes'],
    ['worked_with', 'false', 'Không', 'No'],
    ['partner', 'van_nam', 'Tỉnh Vân Nam, Trung Quốc', 'Yunnan Province, China'],
    ['partner', 'khac', 'khac', 'khac'], // an option the pack no longer has: its code
    ['delegation', 'Đoàn công tác tỉnh Vân Nam', 'Đoàn công tác tỉnh Vân Nam', 'Đoàn công tác tỉnh Vân Nam'],
    ['host', '12', '12', '12'],
    ['persons', undefined, '', ''],
    ['persons', '', '', ''],
    ['persons', 'mười', 'mười', 'mười'], // not a number: as sent
    ['date_from', '20/12/2021', '20/12/2021', '20/12/2021'],
  ];
  for (const [code, value, vi, en] of golden) {
    it(`${code} ${String(value)} → ${vi} | ${en}`, () => {
      expect(formatFieldValue(byCode(code), value, 'vi')).toBe(vi);
      expect(formatFieldValue(byCode(code), value, 'en')).toBe(en);
    });
  }
  it('formats a day with two-digit day and month in Vietnamese', () => {
    expect(formatRecordDate('2024-01-09', 'vi')).toBe('09/01/2024');
    expect(formatRecordDate('not a day', 'vi')).toBe('not a day');
  });
});

describe('descriptionIn', () => {
  it('splits the pack’s bilingual description at the last " — "', () => {
    expect(descriptionIn(delegationIn.description, 'vi')).toBe('Chỉ đoàn chính thức của đối tác nước ngoài.');
    expect(descriptionIn(delegationIn.description, 'en')).toBe('Official foreign delegations only.');
    expect(descriptionIn('Chỉ tiếng Việt.', 'en')).toBe('Chỉ tiếng Việt.');
    expect(descriptionIn('A — B — English', 'vi')).toBe('A — B');
  });
});

describe('the filter as an address and as the API’s query', () => {
  it('defaults the unit to the scope and the date field to the first date field', () => {
    expect(defaultDateField(delegationIn)).toBe('date_from');
    const filter = filterFromQuery(new URLSearchParams(''), delegationIn, '12');
    expect(filter).toEqual({ ou: '12', from: '', to: '', date: 'date_from', equals: {} });
    expect(filterParams(filter)).toEqual({ ou: '12', from: undefined, to: undefined, date: undefined });
  });
  it('reads a range, its date field and the code fields; drops what the register lacks', () => {
    const query = new URLSearchParams('ou=106&from=2021-01-01&to=2021-12-31&date=date_to&f.partner=van_nam&f.persons=3&f.nothing=1');
    const filter = filterFromQuery(query, delegationIn, '12');
    expect(filter).toEqual({ ou: '106', from: '2021-01-01', to: '2021-12-31', date: 'date_to', equals: { partner: 'van_nam' } });
    expect(filterParams(filter)).toEqual({ ou: '106', from: '2021-01-01', to: '2021-12-31', date: 'date_to', 'f.partner': 'van_nam' });
  });
  it('ignores a day not in machine form and a date field that is not a date', () => {
    const filter = filterFromQuery(new URLSearchParams('from=20/12/2021&to=2021-12-31&date=persons'), delegationIn, '12');
    expect(filter.from).toBe('');
    expect(filter.to).toBe('2021-12-31');
    expect(filter.date).toBe('date_from');
    expect(filterParams(filter).date).toBe('date_from');
  });
});

describe('problems of a refused write', () => {
  const codes = delegationIn.fields.map((f) => f.code);
  it('names the field a problem is about', () => {
    expect(problemField({ field: 'persons', reason: 'x' }, codes)).toBe('persons');
    expect(problemField({ field: 'fields.persons', reason: 'x' }, codes)).toBe('persons');
    expect(problemField({ field: '/fields/date_from', reason: 'x' }, codes)).toBe('date_from');
    expect(problemField({ field: 'org_unit', reason: 'x' }, codes)).toBe('orgUnit');
    expect(problemField({ field: 'orgUnit', reason: 'x' }, codes)).toBe('orgUnit');
    expect(problemField({ field: 'id', reason: 'x' }, codes)).toBeNull();
    expect(problemField({ reason: 'x' }, codes)).toBeNull();
  });
  it('groups the reasons by field and keeps the rest apart', () => {
    const { byField, other } = problemsByField([
      { field: 'persons', reason: 'expected a whole number, found "mười"' },
      { field: 'persons', reason: 'second' },
      { field: 'org_unit', reason: 'unknown org unit "99999"' },
      { field: 'id', reason: 'no record 7 in registry reg.foreign.delegation_in' },
    ], codes);
    expect(byField).toEqual({ persons: ['expected a whole number, found "mười"', 'second'], orgUnit: ['unknown org unit "99999"'] });
    expect(other).toEqual([{ field: 'id', reason: 'no record 7 in registry reg.foreign.delegation_in' }]);
  });
  it('places a file’s problem at its line and column', () => {
    const p = { line: 7, column: 3, field: 'persons', reason: 'expected a whole number, found "mười"' };
    expect(importProblemText(p, 'vi')).toBe('Dòng 7, cột 3 (persons): expected a whole number, found "mười"');
    expect(importProblemText(p, 'en')).toBe('Row 7, column 3 (persons): expected a whole number, found "mười"');
    expect(importProblemText({ line: 1, column: 0, field: '', reason: 'no header row' }, 'vi')).toBe('Dòng 1: no header row');
    expect(importProblemText({ field: 'persons', reason: 'required' }, 'vi')).toBe('persons: required');
    expect(importProblemText({ field: '', reason: 'the workbook has no visible worksheet' }, 'en')).toBe('the workbook has no visible worksheet');
  });
});

describe('fieldsToWrite', () => {
  it('keeps the register’s fields with a value, trimmed', () => {
    expect(fieldsToWrite(delegationIn, { partner: 'van_nam', delegation: '  Đoàn A ', persons: '12', worked_with: 'false', note: '  ', other: 'x' }))
      .toEqual({ partner: 'van_nam', delegation: 'Đoàn A', persons: '12', worked_with: 'false' });
  });
});
