// Numbers, dates and reporting periods as people read them, in Vietnamese ("1.009",
// "98,9 %", "quý I/2022") or English ("1,009", "98.9 %", "Q1 2022"). The one place the
// application turns machine forms into text; it follows the server's own labels
// (src/core/period.cc, src/core/number_format.cc) so the screens and `qpan analytics` agree.
import type { Lang } from './i18n';

// Rounds half away from zero at `decimals` places of the shortest decimal form of `value`
// (the digits the user typed or the API sent), returned as a plain decimal string without
// exponent: roundDecimal(2.345, 2) is "2.35" although the double lies below 2.345.
export function roundDecimal(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0;
  const [mantissa, exp] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exp);
  // digits d0 d1 d2 … mean d0.d1d2… × 10^exponent; keep those above 10^-decimals.
  const keep = exponent + 1 + decimals;
  let kept: string;
  let pointAt: number; // digits of `kept` before the decimal point
  if (keep >= digits.length) {
    kept = digits;
    pointAt = exponent + 1;
  } else if (keep < 0) {
    return '0';
  } else {
    const up = digits.charCodeAt(keep) >= 53; // '5'
    let n = digits.slice(0, keep);
    pointAt = exponent + 1;
    if (up) {
      const chars = n.split('');
      let i = chars.length;
      while (i > 0 && chars[i - 1] === '9') chars[--i] = '0';
      if (i === 0) {
        chars.unshift('1');
        pointAt += 1;
      } else {
        chars[i - 1] = String.fromCharCode(chars[i - 1].charCodeAt(0) + 1);
      }
      n = chars.join('');
    }
    kept = n;
  }
  // Place the decimal point: pad with zeros on the side it falls outside the digits.
  let integer: string;
  let fraction: string;
  if (pointAt <= 0) {
    integer = '0';
    fraction = '0'.repeat(-pointAt) + kept;
  } else if (pointAt >= kept.length) {
    integer = kept + '0'.repeat(pointAt - kept.length);
    fraction = '';
  } else {
    integer = kept.slice(0, pointAt);
    fraction = kept.slice(pointAt);
  }
  fraction = fraction.replace(/0+$/, '');
  integer = integer.replace(/^0+(?=\d)/, '');
  if (integer === '0' && fraction === '') return '0';
  return (negative ? '-' : '') + integer + (fraction ? '.' + fraction : '');
}

// A number for people: Vietnamese groups thousands with '.' and marks decimals with ',';
// English the other way round. At most `maxDecimals` decimals, trailing zeros dropped.
export function formatNumber(value: number, lang: Lang, maxDecimals = 2): string {
  const machine = roundDecimal(value, Math.max(0, maxDecimals));
  const negative = machine.startsWith('-');
  const [integer, fraction = ''] = (negative ? machine.slice(1) : machine).split('.');
  const group = lang === 'vi' ? '.' : ',';
  const mark = lang === 'vi' ? ',' : '.';
  let out = '';
  for (let i = 0; i < integer.length; i++) {
    if (i > 0 && (integer.length - i) % 3 === 0) out += group;
    out += integer[i];
  }
  return (negative ? '-' : '') + out + (fraction ? mark + fraction : '');
}

// A number with its unit: "98,9 %" (a space before the percent sign, as in Vietnamese and
// SI typesetting), other units after a space too.
export function formatQuantity(value: number, lang: Lang, maxDecimals: number, unit: string): string {
  const text = formatNumber(value, lang, maxDecimals);
  return unit ? `${text} ${unit}` : text;
}

// A change with its sign as people write it, to one decimal: "+12,5", "−3", "±0" (a true
// minus sign; "±" when it rounds to nothing).
export function formatChange(value: number, lang: Lang): string {
  const rounded = Number(roundDecimal(value, 1));
  return `${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${formatNumber(Math.abs(value), lang, 1)}`;
}

// A machine-form number as the API sends it ("41570000", "98.9"); null if it is not one.
export function parseMachineNumber(text: string): number | null {
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  return Number(text);
}

const englishMonths = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const romanQuarters = ['I', 'II', 'III', 'IV'];

// A day as written in each language: "5/2/2016" and "5 February 2016" from "2016-02-05".
export function formatDate(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return lang === 'vi' ? `${day}/${month}/${year}` : `${day} ${englishMonths[month - 1]} ${year}`;
}

// A timestamp of the API (ISO 8601, UTC) in the reader's time zone: "14:05 5/2/2016".
export function formatTimestamp(iso: string, lang: Lang): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  const day = `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  return `${time} ${formatDate(day, lang)}`;
}

// A calendar month, the unit every range label is made of.
type Month = { year: number; month: number };

function monthLabel(m: Month, lang: Lang): string {
  return lang === 'vi' ? `tháng ${m.month}/${m.year}` : `${englishMonths[m.month - 1]} ${m.year}`;
}

function parseMonth(code: string): Month | null {
  const m = /^(\d{4})(\d{2})$/.exec(code);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) return null;
  return { year: Number(m[1]), month: Number(m[2]) };
}

// A range's ends as months: `201601..201806`, `2016..2018`, `2022Q1..2022Q3`.
function rangeEnd(code: string, first: boolean): Month | null {
  const month = parseMonth(code);
  if (month) return month;
  let m = /^(\d{4})$/.exec(code);
  if (m) return { year: Number(m[1]), month: first ? 1 : 12 };
  m = /^(\d{4})Q([1-4])$/.exec(code);
  if (m) return { year: Number(m[1]), month: (Number(m[2]) - 1) * 3 + (first ? 1 : 3) };
  m = /^(\d{4})S([12])$/.exec(code);
  if (m) return { year: Number(m[1]), month: (Number(m[2]) - 1) * 6 + (first ? 1 : 6) };
  return null;
}

function rangeLabel(a: Month, b: Month, lang: Lang): string {
  const same = a.year === b.year && a.month === b.month;
  if (same) return monthLabel(a, lang);
  const count = (b.year - a.year) * 12 + b.month - a.month + 1;
  const vi = lang === 'vi';
  if (a.month === 1 && b.month === 12) {
    if (a.year === b.year) return vi ? `năm ${a.year}` : `${a.year}`;
    return vi ? `giai đoạn ${a.year}–${b.year}` : `${a.year}–${b.year}`;
  }
  if (a.month === 1 && a.year === b.year) {
    return vi ? `${count} tháng đầu năm ${a.year}` : `first ${count} months of ${a.year}`;
  }
  if (vi) {
    if (a.month === 1) return `từ đầu năm ${a.year} đến ${monthLabel(b, lang)}`;
    if (a.year === b.year) return `từ tháng ${a.month} đến ${monthLabel(b, lang)}`;
    return `từ ${monthLabel(a, lang)} đến ${monthLabel(b, lang)}`;
  }
  if (a.year === b.year) return `${englishMonths[a.month - 1]} to ${monthLabel(b, lang)}`;
  return `${monthLabel(a, lang)} to ${monthLabel(b, lang)}`;
}

// The label of a period code as in the server's tables; an unknown code is shown as it is.
export function formatPeriod(code: string, lang: Lang): string {
  const vi = lang === 'vi';
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(code);
  if (m) {
    const day = `${m[1]}-${m[2]}-${m[3]}`;
    return vi ? `ngày ${formatDate(day, lang)}` : formatDate(day, lang);
  }
  const month = parseMonth(code);
  if (month) return monthLabel(month, lang);
  m = /^(\d{4})Q([1-4])$/.exec(code);
  if (m) return vi ? `quý ${romanQuarters[Number(m[2]) - 1]}/${m[1]}` : `Q${m[2]} ${m[1]}`;
  m = /^(\d{4})S([12])$/.exec(code);
  if (m) {
    const first = m[2] === '1';
    if (vi) return `${first ? '6 tháng đầu năm' : '6 tháng cuối năm'} ${m[1]}`;
    return `${first ? 'first half of' : 'second half of'} ${m[1]}`;
  }
  m = /^(\d{4})$/.exec(code);
  if (m) return vi ? `năm ${m[1]}` : m[1];
  m = /^(\d{4})-(\d{4})$/.exec(code);
  if (m && Number(m[2]) === Number(m[1]) + 4) return vi ? `giai đoạn ${m[1]}–${m[2]}` : `${m[1]}–${m[2]}`;
  m = /^([0-9QS]+)\.\.([0-9QS]+)$/.exec(code);
  if (m) {
    const a = rangeEnd(m[1], true);
    const b = rangeEnd(m[2], false);
    if (a && b) return rangeLabel(a, b, lang);
  }
  return code;
}

// The period of a data set's type that contains a day: periodOf('quarter', '2020-05-14') is
// "2020Q2"; null for a type the application does not know.
export function periodOf(periodType: string, iso: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return null;
  const [year, month] = [m[1], Number(m[2])];
  switch (periodType) {
    case 'month': return `${year}${m[2]}`;
    case 'quarter': return `${year}Q${Math.floor((month - 1) / 3) + 1}`;
    case 'six_month': return `${year}S${month <= 6 ? 1 : 2}`;
    case 'year': return year;
  }
  return null;
}

// The first day of a period code ("2020Q2" → "2020-04-01"), the day to name units on.
export function periodStart(code: string): string | null {
  const end = rangeEnd(code, true);
  return end ? `${end.year}-${String(end.month).padStart(2, '0')}-01` : null;
}

// A number as a person typed it, in the machine form the API takes ("1.009,5" → "1009.5" in
// Vietnamese, "1,009.5" in English); null when it is not a number written that way.
export function parseTypedNumber(text: string, lang: Lang): string | null {
  const trimmed = text.trim();
  const pattern = lang === 'vi' ? /^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$/ : /^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/;
  if (!pattern.test(trimmed)) return null;
  const [group, mark] = lang === 'vi' ? ['.', ','] : [',', '.'];
  return trimmed.split(group).join('').replace(mark, '.');
}

// The months a period code or range covers, as month codes: "2020Q1" → 202001, 202002,
// 202003; "201601..201806" → the 30 months; [] for a code the application does not know.
export function periodMonths(code: string): string[] {
  const range = /^([0-9QS]+)\.\.([0-9QS]+)$/.exec(code);
  const five = /^(\d{4})-(\d{4})$/.exec(code);
  const first = rangeEnd(range ? range[1] : five ? five[1] : code, true);
  const last = rangeEnd(range ? range[2] : five ? five[2] : code, false);
  if (!first || !last) return [];
  const months: string[] = [];
  for (let y = first.year, m = first.month; y < last.year || (y === last.year && m <= last.month);) {
    months.push(`${y}${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y += 1;
    }
  }
  return months;
}

// The same period one year earlier, the reference of a "so với cùng kỳ" comparison:
// "2020" → "2019", "2020Q1" → "2019Q1", "201601..201806" → "201501..201706"; null for a
// code the application does not know.
export function sameTimeLastYear(code: string): string | null {
  const parts = code.split('..');
  if (parts.length > 2) return null;
  const shifted = parts.map((part) => {
    const m = /^(\d{4})((?:\d{2}|Q[1-4]|S[12])?)$/.exec(part);
    return m ? `${Number(m[1]) - 1}${m[2]}` : null;
  });
  return shifted.every((p) => p !== null) ? shifted.join('..') : null;
}

// Text folded for a search that ignores case and Vietnamese accents: "Tả Lèng" and
// "ta leng" fold alike ("đ" has no combining mark to drop, so it is mapped to "d").
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().trim();
}
