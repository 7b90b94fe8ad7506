// Review reports: a template's period types in words and the forms of period code it takes
// (as /api/reports lists them for the pack's templates), the question read from an address
// and written back, and the API's addresses of a report in each format.
import { describe, expect, it } from 'vitest';
import { reportPath } from './api';
import { periodHint, periodTypeName, periodTypesText, questionFromQuery, questionParams } from './reports';

const quarterly = ['quarter', 'six_month'];
const midterm = ['month_range', 'five_year', 'year'];

describe('period types in words', () => {
  it('names each type in both languages', () => {
    // type, Vietnamese, English
    const golden: [string, string, string][] = [
      ['quarter', 'quý', 'quarter'],
      ['six_month', '6 tháng', 'half-year'],
      ['year', 'năm', 'year'],
      ['five_year', 'giai đoạn 5 năm', 'five-year term'],
      ['month_range', 'khoảng thời gian từ tháng đến tháng', 'range of months'],
      ['month', 'tháng', 'month'],
      ['day', 'ngày', 'day'],
      ['decade', 'decade', 'decade'], // a type the application does not know: as the server names it
    ];
    for (const [type, vi, en] of golden) {
      expect(periodTypeName(type, 'vi')).toBe(vi);
      expect(periodTypeName(type, 'en')).toBe(en);
    }
  });
  it('lists a template’s types', () => {
    expect(periodTypesText(quarterly, 'vi')).toBe('quý, 6 tháng');
    expect(periodTypesText(midterm, 'vi')).toBe('khoảng thời gian từ tháng đến tháng, giai đoạn 5 năm, năm');
    expect(periodTypesText(midterm, 'en')).toBe('range of months, five-year term, year');
    expect(periodTypesText([], 'vi')).toBe('');
  });
});

describe('periodHint', () => {
  it('gives an example code of each type the template takes', () => {
    expect(periodHint(quarterly, 'vi')).toBe('quý, ví dụ 2022Q1; 6 tháng, ví dụ 2022S1');
    expect(periodHint(quarterly, 'en')).toBe('quarter, e.g. 2022Q1; half-year, e.g. 2022S1');
    expect(periodHint(midterm, 'vi')).toBe(
      'khoảng thời gian từ tháng đến tháng, ví dụ 201601..201806, 2016..2020; giai đoạn 5 năm, ví dụ 2016-2020; năm, ví dụ 2021');
    expect(periodHint(['month', 'day'], 'vi')).toBe('tháng, ví dụ 202203; ngày, ví dụ 20220315');
  });
  it('names a type without an example as it is', () => {
    expect(periodHint(['decade', 'year'], 'vi')).toBe('decade; năm, ví dụ 2021');
  });
});

describe('the question as an address', () => {
  it('defaults the unit to the scope', () => {
    expect(questionFromQuery(new URLSearchParams(''), '12')).toEqual({ ou: '12', pe: '', date: '' });
    expect(questionParams({ ou: '12', pe: '', date: '' })).toEqual({ ou: '12', pe: undefined, date: undefined });
  });
  it('reads the unit, period and day; drops a day not in machine form', () => {
    const q = questionFromQuery(new URLSearchParams('ou=%2010%20&pe=2016..2020&date=2021-01-15'), '12');
    expect(q).toEqual({ ou: '10', pe: '2016..2020', date: '2021-01-15' });
    expect(questionParams(q)).toEqual({ ou: '10', pe: '2016..2020', date: '2021-01-15' });
    expect(questionFromQuery(new URLSearchParams('pe=2022Q1&date=15/01/2021'), '12').date).toBe('');
  });
  it('trims what was typed', () => {
    expect(questionParams({ ou: ' 12 ', pe: ' 201601..201806 ', date: ' ' })).toEqual({ ou: '12', pe: '201601..201806', date: undefined });
  });
});

describe('reportPath', () => {
  const q = { ou: '12', pe: '201601..201806' };
  it('asks the HTML fragment to embed, and files for download links', () => {
    expect(reportPath('rpt.midterm_review', q, 'html')).toBe('/api/reports/rpt.midterm_review?ou=12&pe=201601..201806&format=html&embed=1');
    expect(reportPath('rpt.midterm_review', q, 'pdf')).toBe('/api/reports/rpt.midterm_review?ou=12&pe=201601..201806&format=pdf');
    expect(reportPath('rpt.midterm_review', q, 'docx')).toBe('/api/reports/rpt.midterm_review?ou=12&pe=201601..201806&format=docx');
    expect(reportPath('rpt.quarterly_review', { ou: '12', pe: '2022Q1', date: '2022-04-05' }, 'xlsx'))
      .toBe('/api/reports/rpt.quarterly_review?ou=12&pe=2022Q1&date=2022-04-05&format=xlsx');
  });
  it('leaves an empty day out and encodes the template code', () => {
    expect(reportPath('rpt a/b', { ou: '12', pe: '2021', date: '' }, 'pdf')).toBe('/api/reports/rpt%20a%2Fb?ou=12&pe=2021&format=pdf');
  });
});
