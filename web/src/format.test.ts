// Golden tables of the formatting module: numbers, dates and period labels in Vietnamese
// and English, the forms the server's own tables use (src/core/number_format.cc, period.cc).
import { describe, expect, it } from 'vitest';
import type { Lang } from './i18n';
import { foldAccents, formatChange, formatDate, formatNumber, formatPeriod, formatQuantity, parseMachineNumber, parseTypedNumber, periodMonths, periodOf, periodStart, roundDecimal, sameTimeLastYear } from './format';

// Runs one case per row: `show(input)` in Vietnamese and in English against the row's two texts.
function bilingual<T>(rows: [T, string, string][], show: (input: T, lang: Lang) => string) {
  for (const [input, vi, en] of rows) {
    it(`${String(input)} → ${vi} | ${en}`, () => {
      expect(show(input, 'vi')).toBe(vi);
      expect(show(input, 'en')).toBe(en);
    });
  }
}

describe('formatNumber', () => {
  // value, max decimals, Vietnamese, English
  const golden: [number, number, string, string][] = [
    [0, 2, '0', '0'],
    [7, 2, '7', '7'],
    [449, 2, '449', '449'],
    [1009, 2, '1.009', '1,009'],
    [67716, 2, '67.716', '67,716'],
    [67.716, 3, '67,716', '67.716'],
    [98.9, 1, '98,9', '98.9'],
    [98.94, 1, '98,9', '98.9'],
    [98.95, 1, '99', '99'],
    [41570000, 2, '41.570.000', '41,570,000'],
    [41570000.25, 2, '41.570.000,25', '41,570,000.25'],
    [67716000000, 0, '67.716.000.000', '67,716,000,000'],
    [-1234.5, 2, '-1.234,5', '-1,234.5'],
    [2.345, 2, '2,35', '2.35'],
    [0.005, 2, '0,01', '0.01'],
    [0.004, 2, '0', '0'],
    [999.995, 2, '1.000', '1,000'],
    [0.1 + 0.2, 4, '0,3', '0.3'],
    [1e21, 0, '1.000.000.000.000.000.000.000', '1,000,000,000,000,000,000,000'],
    [123456.789, 4, '123.456,789', '123,456.789'],
  ];
  bilingual(golden.map(([value, decimals, vi, en]) => [[value, decimals] as const, vi, en]),
    ([value, decimals], lang) => formatNumber(value, lang, decimals));
  it('rounds half away from zero on the shortest decimal form', () => {
    expect(roundDecimal(-2.345, 2)).toBe('-2.35');
    expect(roundDecimal(1.005, 2)).toBe('1.01');
    expect(roundDecimal(0.000012, 6)).toBe('0.000012');
  });
});

describe('formatQuantity', () => {
  it('puts a space before the unit', () => {
    expect(formatQuantity(98.9, 'vi', 1, '%')).toBe('98,9 %');
    expect(formatQuantity(98.9, 'en', 1, '%')).toBe('98.9 %');
    expect(formatQuantity(1009, 'vi', 0, '')).toBe('1.009');
  });
});

describe('parseMachineNumber', () => {
  const golden: [string, number | null][] = [
    ['449', 449], ['98.9', 98.9], ['-3.5', -3.5], ['41570000', 41570000],
    ['1.009', 1.009], ['98,9', null], ['', null], ['1e3', null], ['abc', null],
  ];
  for (const [text, value] of golden) {
    it(`"${text}" → ${value}`, () => expect(parseMachineNumber(text)).toBe(value));
  }
});

describe('formatDate', () => {
  const golden: [string, string, string][] = [
    ['2020-01-01', '1/1/2020', '1 January 2020'],
    ['2025-07-01', '1/7/2025', '1 July 2025'],
    ['2016-02-05T08:00:00Z', '5/2/2016', '5 February 2016'],
    ['not a date', 'not a date', 'not a date'],
  ];
  bilingual(golden, formatDate);
});

describe('formatPeriod', () => {
  // code, Vietnamese, English — as `qpan analytics` labels them
  const golden: [string, string, string][] = [
    ['20220315', 'ngày 15/3/2022', '15 March 2022'],
    ['201806', 'tháng 6/2018', 'June 2018'],
    ['202203', 'tháng 3/2022', 'March 2022'],
    ['2022Q1', 'quý I/2022', 'Q1 2022'],
    ['2022Q4', 'quý IV/2022', 'Q4 2022'],
    ['2022S1', '6 tháng đầu năm 2022', 'first half of 2022'],
    ['2022S2', '6 tháng cuối năm 2022', 'second half of 2022'],
    ['2021', 'năm 2021', '2021'],
    ['2016-2020', 'giai đoạn 2016–2020', '2016–2020'],
    ['201601..201806', 'từ đầu năm 2016 đến tháng 6/2018', 'January 2016 to June 2018'],
    ['202201..202209', '9 tháng đầu năm 2022', 'first 9 months of 2022'],
    ['202203..202203', 'tháng 3/2022', 'March 2022'],
    ['202201..202212', 'năm 2022', '2022'],
    ['2019..2024', 'giai đoạn 2019–2024', '2019–2024'],
    ['2022Q1..2022Q3', '9 tháng đầu năm 2022', 'first 9 months of 2022'],
    ['202203..202206', 'từ tháng 3 đến tháng 6/2022', 'March to June 2022'],
    ['202111..202202', 'từ tháng 11/2021 đến tháng 2/2022', 'November 2021 to February 2022'],
    ['202213', '202213', '202213'],
    ['LAST_YEAR', 'LAST_YEAR', 'LAST_YEAR'],
  ];
  bilingual(golden, formatPeriod);
});

describe('periodOf and periodStart', () => {
  it.each([
    ['month', '2020-05-14', '202005'],
    ['quarter', '2020-05-14', '2020Q2'],
    ['quarter', '2020-12-31', '2020Q4'],
    ['six_month', '2020-06-30', '2020S1'],
    ['six_month', '2020-07-01', '2020S2'],
    ['year', '2020-07-01', '2020'],
    ['week', '2020-07-01', null],
  ])('%s containing %s is %s', (type, day, expected) => {
    expect(periodOf(type, day)).toBe(expected);
  });
  it.each([
    ['202003', '2020-03-01'],
    ['2020Q2', '2020-04-01'],
    ['2020S2', '2020-07-01'],
    ['2020', '2020-01-01'],
    ['nonsense', null],
  ])('%s starts on %s', (code, expected) => {
    expect(periodStart(code)).toBe(expected);
  });
});

describe('parseTypedNumber', () => {
  it.each([
    ['1.009', 'vi', '1009'],
    ['1.009,5', 'vi', '1009.5'],
    ['2,5', 'vi', '2.5'],
    ['41.570.000', 'vi', '41570000'],
    ['12', 'vi', '12'],
    ['1,009.5', 'en', '1009.5'],
    ['2.5', 'en', '2.5'],
    ['1.00', 'vi', null],
    ['abc', 'vi', null],
    ['', 'en', null],
  ])('%s in %s is %s', (text, lang, expected) => {
    expect(parseTypedNumber(text, lang as Lang)).toBe(expected);
  });
});

describe('period arithmetic of the dashboard', () => {
  it.each([
    ['202003', ['202003']],
    ['2020Q1', ['202001', '202002', '202003']],
    ['2020S2', ['202007', '202008', '202009', '202010', '202011', '202012']],
    ['2020', Array.from({ length: 12 }, (_, i) => `2020${String(i + 1).padStart(2, '0')}`)],
    ['nonsense', []],
  ])('%s covers %j', (code, expected) => {
    expect(periodMonths(code)).toEqual(expected);
  });
  it('a range covers every month from its first to its last', () => {
    const months = periodMonths('201601..201806');
    expect(months.length).toBe(30);
    expect([months[0], months[12], months[29]]).toEqual(['201601', '201701', '201806']);
    expect(periodMonths('2016-2020').length).toBe(60);
  });
  it.each([
    ['2020', '2019'],
    ['2020Q1', '2019Q1'],
    ['2020S2', '2019S2'],
    ['202003', '201903'],
    ['201601..201806', '201501..201706'],
    ['nonsense', null],
  ])('the same time a year before %s is %s', (code, expected) => {
    expect(sameTimeLastYear(code)).toBe(expected);
  });
  it.each([
    [3.5, 'vi', '+3,5'],
    [-0.94, 'vi', '−0,9'],
    [0.04, 'en', '±0'],
    [1234.56, 'en', '+1,234.6'],
  ])('the change %s in %s is written %s', (value, lang, expected) => {
    expect(formatChange(value as number, lang as Lang)).toBe(expected);
  });
  it('folds case and accents, đ included', () => {
    expect(foldAccents('Xã Tả Lèng')).toBe('xa ta leng');
    expect(foldAccents('Đồng Hới')).toBe(foldAccents('dong hoi'));
  });
});
