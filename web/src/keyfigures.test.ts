// The dashboard's choice of key figures on a small pack: one headline element per area in
// the data set's order, yes/no elements skipped, and only the indicators the data set's own
// elements compute without comparing periods.
import { describe, expect, it } from 'vitest';
import type { Pack, PackDataSet, PackElement } from './api';
import { defaultDataSet, keyFigures, latestYearWithData, recentYears } from './keyfigures';

const element = (code: string, area: string, valueType = 'count'): PackElement =>
  ({ code, name: code, nameEn: code, valueType, aggregation: 'sum', disaggregation: '', area });
const dataSet = (code: string, periodType: string, level: string, dataElements: string[]): PackDataSet =>
  ({ code, name: code, nameEn: code, periodType, level, deadlineDays: 2, approval: [], dataElements });
const indicator = (code: string, expression: string) => ({ code, name: code, nameEn: code, expression, decimals: 1, unit: '%' });

const monthly = dataSet('ds.monthly', 'month', 'commune', ['crime.cases', 'crime.solved', 'crime.serious', 'safe', 'drug.cases', 'drug.suspects']);
const pack: Pack = {
  dataElements: [element('crime.cases', 'crime'), element('crime.solved', 'crime'), element('crime.serious', 'crime'),
    element('safe', 'evaluation', 'boolean'), element('drug.cases', 'drugs'), element('drug.suspects', 'drugs'), element('other', 'other')],
  dataSets: [dataSet('ds.yearly', 'year', 'commune', ['other']), monthly],
  indicators: [
    indicator('crime.solve_rate', '#{crime.solved} / #{crime.cases} * 100'),
    indicator('crime.yoy', '(#{crime.cases} - last_year(#{crime.cases})) / last_year(#{crime.cases}) * 100'),
    indicator('mixed', '#{other} / #{crime.cases}'),
  ],
  evaluationSets: [],
};

describe('key figures', () => {
  it('opens on the first monthly commune data set', () => {
    expect(defaultDataSet(pack)?.code).toBe('ds.monthly');
  });
  it('leads with each area’s first element, then the data set’s own indicators', () => {
    expect(keyFigures(pack, monthly)).toEqual(['crime.cases', 'drug.cases', 'crime.solve_rate']);
  });
});

describe('the period a dashboard opens on without one in its address', () => {
  it('looks in the ten years before this one, newest first', () => {
    expect(recentYears(2026)).toEqual(['2025', '2024', '2023', '2022', '2021', '2020', '2019', '2018', '2017', '2016']);
  });
  it('takes the newest year that has a value', () => {
    const years = recentYears(2026);
    const rows = [['crime.ttxh.cases', '12', '2019', '7'], ['crime.ttxh.cases', '12', '2021', '0'], ['crime.ttxh.cases', '12', '2018', '3']];
    expect(latestYearWithData(rows, years)).toBe('2021');
    expect(latestYearWithData([], years)).toBeUndefined();
  });
});
