// Which figures a dashboard leads with, read from the pack rather than written here: the
// headline element of each area of a data set (its first, which the "in which" items after
// it break down) and the indicators computed from that data set's elements alone.
import type { Pack, PackDataSet } from './api';

// Element types that add up to a figure worth a card (not a yes/no or a text).
const numericTypes = new Set(['count', 'number', 'amount_vnd', 'amount_usd']);

// The data set a dashboard opens on when the address names none: the first monthly one of
// the communes (the most detailed and most often reported), else the pack's first.
export function defaultDataSet(pack: Pack): PackDataSet | undefined {
  return pack.dataSets.find((d) => d.periodType === 'month' && d.level === 'commune') ?? pack.dataSets[0];
}

export function keyFigures(pack: Pack, dataSet: PackDataSet): string[] {
  const byCode = new Map(pack.dataElements.map((e) => [e.code, e]));
  const areas = new Set<string>();
  const headline: string[] = [];
  for (const code of dataSet.dataElements) {
    const element = byCode.get(code);
    if (!element || !numericTypes.has(element.valueType) || areas.has(element.area)) continue;
    areas.add(element.area);
    headline.push(code);
  }
  const own = new Set(dataSet.dataElements);
  // An indicator that calls a function (last_year, previous) compares periods itself; the
  // dashboard shows every figure beside last year's already.
  const indicators = pack.indicators.filter((i) => {
    const refs = [...i.expression.matchAll(/#\{([^}]+)\}/g)].map((m) => m[1]);
    return refs.length > 0 && refs.every((r) => own.has(r)) && !/[a-z_]+\s*\(/i.test(i.expression);
  }).map((i) => i.code);
  return [...headline, ...indicators];
}

// The years a dashboard without a period looks in, newest first: the ten before `thisYear`.
export function recentYears(thisYear: number): string[] {
  return Array.from({ length: 10 }, (_, i) => String(thisYear - 1 - i));
}

// The newest of `years` in which an analytics answer (rows of dx, ou, pe, value) has a value:
// a dashboard opens on figures, not on an empty year.
export function latestYearWithData(rows: string[][], years: string[]): string | undefined {
  const withData = new Set(rows.filter((r) => r[3] !== undefined && r[3] !== '').map((r) => r[2]));
  return years.find((y) => withData.has(y));
}
