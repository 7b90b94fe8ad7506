// Dashboard of a unit over a period or range: the data set's key figures with their change
// on the same period of last year, one figure period by period against last year, the units
// under the unit compared, and the pack's evaluation sets rolled up for the unit. Every
// number links to the analytics table (or evaluation list) behind it; every chart can be
// downloaded. The view is the URL: #/dashboard?ds=…&ou=12&pe=2020&dx=crime.ttxh.cases.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { Chart } from '../charts';
import { ErrorBox, Field, Loading, PageTitle, useLoad } from '../components';
import { formatChange, formatNumber, formatPeriod, formatQuantity, parseMachineNumber, periodMonths, periodOf, periodStart, roundDecimal, sameTimeLastYear } from '../format';
import type { Lang } from '../i18n';
import { defaultDataSet, keyFigures, latestYearWithData, recentYears } from '../keyfigures';
import { href, navigate } from '../router';
import { useApp, useT, type Translate } from '../state';

// How a figure is named and written: an indicator with its decimals and unit, an element
// whole when it counts, with two decimals otherwise.
interface Figure {
  code: string;
  name: string;
  decimals: number;
  unit: string;
  // A share compares with last year in percentage points, not as a relative change.
  isShare: boolean;
}

function figureOf(pack: api.Pack, code: string, lang: Lang): Figure {
  const indicator = pack.indicators.find((i) => i.code === code);
  if (indicator) {
    return { code, name: lang === 'en' ? indicator.nameEn : indicator.name, decimals: indicator.decimals, unit: indicator.unit, isShare: indicator.unit === '%' };
  }
  const element = pack.dataElements.find((e) => e.code === code);
  return {
    code,
    name: element ? (lang === 'en' ? element.nameEn : element.name) : code,
    decimals: element?.valueType === 'count' ? 0 : 2,
    unit: '',
    isShare: false,
  };
}

// The answer's values by "dx|ou|pe", as numbers.
function valuesOf(answer: api.AnalyticsAnswer | undefined): Map<string, number> {
  const values = new Map<string, number>();
  for (const [dx, ou, pe, text] of answer?.rows ?? []) {
    const value = parseMachineNumber(text);
    if (value !== null) values.set(`${dx}|${ou}|${pe}`, value);
  }
  return values;
}

const analyticsLink = (dx: string, ou: string, pe: string) => href(['analytics'], { dx, ou, pe });

// The change on last year: "+12,5 %" relative, "+2,9 điểm %" for a share; null without a
// reference to compare with.
function changeText(t: Translate, lang: Lang, figure: Figure, now: number, before: number | undefined): { text: string; direction: 'up' | 'down' | 'same' } | null {
  if (before === undefined) return null;
  const delta = figure.isShare ? now - before : before === 0 ? null : ((now - before) / Math.abs(before)) * 100;
  if (delta === null) return null;
  const rounded = Number(roundDecimal(delta, 1));
  const direction = rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'same';
  return { text: figure.isShare ? t('changePoints', { value: formatChange(delta, lang) }) : `${formatChange(delta, lang)} %`, direction };
}

export default function Dashboard({ query }: { query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const pack = useLoad('pack', api.pack);
  const ou = query.get('ou') || user?.scope || '';
  const dataSet = pack.data && (pack.data.dataSets.find((d) => d.code === query.get('ds')) ?? defaultDataSet(pack.data));
  // Without a period in the address: the newest recent year in which the unit has the data
  // set's headline figure, asked in one question (the last year if none, or on an error).
  const years = recentYears(new Date().getFullYear());
  const headline = pack.data && dataSet ? keyFigures(pack.data, dataSet)[0] : undefined;
  const probe: api.AnalyticsQuestion | null = !query.get('pe') && headline && ou ? { dx: [headline], ou: [ou], pe: years } : null;
  const found = useLoad(probe ? api.analyticsPath(probe, 'json') : null, () => api.analytics(probe!));
  const pe = query.get('pe') || (found.data ? latestYearWithData(found.data.rows, years) : undefined) || years[0];
  const choosing = probe !== null && found.loading;
  const [form, setForm] = useState({ ds: query.get('ds') ?? '', ou, pe: query.get('pe') ?? '' });

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(['dashboard'], { ds: form.ds || dataSet?.code, ou: form.ou.trim(), pe: (form.pe || pe).trim(), dx: query.get('dx') ?? undefined });
  };

  return (
    <section class="dashboard">
      <PageTitle>{t('dashboardTitle')}</PageTitle>
      <form class="inline-form fields" onSubmit={submit}>
        <Field id="dash-ds" label={t('dataSet')}>
          <select id="dash-ds" value={form.ds || dataSet?.code} onChange={(e) => setForm({ ...form, ds: e.currentTarget.value })}>
            {pack.data?.dataSets.map((d) => <option key={d.code} value={d.code}>{lang === 'en' ? d.nameEn : d.name}</option>)}
          </select>
        </Field>
        <Field id="dash-ou" label={t('orgUnit')} hint={t('dashboardUnitHint')}>
          <input id="dash-ou" value={form.ou} aria-describedby="dash-ou-hint" required onInput={(e) => setForm({ ...form, ou: e.currentTarget.value })} />
        </Field>
        <Field id="dash-pe" label={t('period')} hint={t('dashboardPeriodHint')}>
          <input id="dash-pe" value={form.pe || (choosing ? '' : pe)} aria-describedby="dash-pe-hint" required onInput={(e) => setForm({ ...form, pe: e.currentTarget.value })} />
        </Field>
        <button type="submit" class="primary">{t('show')}</button>
      </form>
      <ErrorBox error={pack.error} />
      {(pack.loading || choosing) && <Loading />}
      {pack.data && dataSet && ou && !choosing && <Board pack={pack.data} dataSet={dataSet} ou={ou} pe={pe} chosen={query.get('dx')} />}
    </section>
  );
}

function Board({ pack, dataSet, ou, pe, chosen }: { pack: api.Pack; dataSet: api.PackDataSet; ou: string; pe: string; chosen: string | null }) {
  const { lang } = useApp();
  const t = useT();
  const codes = keyFigures(pack, dataSet);
  const lastYear = sameTimeLastYear(pe);
  const periods = lastYear ? [pe, lastYear] : [pe];
  const question: api.AnalyticsQuestion = { dx: codes, ou: [ou], pe: periods };
  const answer = useLoad(codes.length ? api.analyticsPath(question, 'json') : null, () => api.analytics(question));
  const values = valuesOf(answer.data);
  const figures = codes.map((c) => figureOf(pack, c, lang));
  const focus = figures.find((f) => f.code === chosen) ?? figures[0];
  // The unit and the units under it as they stood at the start of the period's last month.
  const months = periodMonths(pe);
  const at = periodStart(months[months.length - 1] ?? pe) ?? undefined;
  const unit = useLoad(`${ou}@${at}`, () => api.unitAt(ou, at));
  const unitName = unit.data?.name ?? answer.data?.metaData.items[ou]?.name ?? ou;

  return (
    <>
      <h2 data-testid="dashboard-unit">{unitName} — {formatPeriod(pe, lang)}</h2>
      {/* A unit outside the caller's scope is refused by both requests: said once. */}
      <ErrorBox error={answer.error ?? unit.error} />
      {answer.loading && <Loading />}
      {codes.length === 0 && <p class="muted" data-testid="no-key-figures">{t('noKeyFigures')}</p>}
      {answer.data && (
        <>
          <h3>{t('keyFigures')}</h3>
          <p class="hint">{t('keyFiguresFrom', { dataSet: lang === 'en' ? dataSet.nameEn : dataSet.name })}</p>
          <ul class="figures" data-testid="key-figures">
            {figures.map((f) => {
              const now = values.get(`${f.code}|${ou}|${pe}`);
              const before = lastYear ? values.get(`${f.code}|${ou}|${lastYear}`) : undefined;
              const change = now === undefined ? null : changeText(t, lang, f, now, before);
              return (
                <li key={f.code} data-testid={`figure-${f.code}`} data-value={now ?? ''}>
                  <h4 class="figure-name">{f.name}</h4>
                  <p class="figure-value">
                    {now === undefined ? <span class="muted">{t('noValue')}</span>
                      : <a href={analyticsLink(f.code, ou, pe)} data-testid="figure-value">{formatQuantity(now, lang, f.decimals, f.unit)}</a>}
                  </p>
                  <p class="figure-change hint" data-testid="figure-change" data-direction={change?.direction}>
                    {change ? <strong>{change.direction === 'up' ? '▲ ' : change.direction === 'down' ? '▼ ' : ''}{change.text}</strong> : t('noComparison')}
                    {lastYear && before !== undefined && (
                      <> {t('comparedWith', { period: formatPeriod(lastYear, lang) })}{' '}
                        <a href={analyticsLink(f.code, ou, lastYear)} data-testid="figure-last-year">{formatQuantity(before, lang, f.decimals, f.unit)}</a></>
                    )}
                  </p>
                </li>
              );
            })}
          </ul>
          {focus && (
            <>
              <div class="inline-form">
                <Field id="dash-dx" label={t('chartItem')}>
                  <select id="dash-dx" value={focus.code} onChange={(e) => navigate(['dashboard'], { ds: dataSet.code, ou, pe, dx: e.currentTarget.value })}>
                    {figures.map((f) => <option key={f.code} value={f.code}>{f.name}</option>)}
                  </select>
                </Field>
              </div>
              <div class="chart-grid">
                <Trend figure={focus} periodType={dataSet.periodType} ou={ou} pe={pe} />
                <UnitsCompared figure={focus} dataSet={dataSet.code} pe={pe} units={unit.data?.children ?? []} />
              </div>
            </>
          )}
        </>
      )}
      <h3>{t('evaluationResults')}</h3>
      <div class="chart-grid" data-testid="evaluations">
        {pack.evaluationSets.map((s) => <EvaluationResult key={s.code} set={s} ou={ou} pe={pe} lastYear={lastYear} />)}
      </div>
    </>
  );
}

// How far back a trend reaches when the period holds fewer than three of the data set's
// periods: a year of months or quarters, two years of halves, five years.
const trendSpanMonths: Record<string, number> = { month: 12, quarter: 12, six_month: 24, year: 60 };

// The periods to draw, of the data set's type (its values exist for no shorter one): those
// within the period, or the span above up to its end, so the line has a course to show.
function trendPeriods(pe: string, periodType: string): string[] {
  const within = (months: string[]) =>
    [...new Set(months.map((m) => periodOf(periodType, `${m.slice(0, 4)}-${m.slice(4)}-01`)))].filter((p): p is string => p !== null);
  const months = periodMonths(pe);
  const periods = within(months);
  if (periods.length >= 3 || months.length === 0) return periods;
  const last = months[months.length - 1];
  // Months counted from year 0, to step back over year ends.
  const start = Number(last.slice(0, 4)) * 12 + Number(last.slice(4)) - 1 - ((trendSpanMonths[periodType] ?? 12) - 1);
  return within(periodMonths(`${Math.floor(start / 12)}${String((start % 12) + 1).padStart(2, '0')}..${last}`));
}

function Trend({ figure, periodType, ou, pe }: { figure: Figure; periodType: string; ou: string; pe: string }) {
  const { lang } = useApp();
  const t = useT();
  const months = trendPeriods(pe, periodType);
  const before = months.map((m) => sameTimeLastYear(m) ?? m);
  const question: api.AnalyticsQuestion = { dx: [figure.code], ou: [ou], pe: periodType === 'year' ? months : [...months, ...before] };
  const answer = useLoad(months.length ? api.analyticsPath(question, 'json') : null, () => api.analytics(question));
  if (months.length === 0) return null;
  const values = valuesOf(answer.data);
  const series = (list: string[], name: string) => ({
    name,
    values: list.map((m) => values.get(`${figure.code}|${ou}|${m}`) ?? null),
    links: list.map((m) => analyticsLink(figure.code, ou, m)),
  });
  const first = months[0];
  const last = months[months.length - 1];
  return (
    <div>
      <ErrorBox error={answer.error} />
      {answer.loading && <Loading />}
      {answer.data && (
        <Chart name="trend" kind="line" title={t('trendTitle', { item: figure.name })} categoryLabel={t('period')}
          categories={months.map((m) => formatPeriod(m, lang))} codes={months}
          series={[series(months, formatPeriod(`${first}..${last}`, lang)),
            // Years a year earlier are the same line shifted by one: drawn once.
            ...(periodType === 'year' ? [] : [series(before, formatPeriod(`${before[0]}..${before[before.length - 1]}`, lang))])]}
          format={(v) => formatQuantity(v, lang, figure.decimals, figure.unit)} wholeNumbers={figure.decimals === 0} />
      )}
    </div>
  );
}

function UnitsCompared({ figure, dataSet, pe, units }: { figure: Figure; dataSet: string; pe: string; units: api.UnitSummary[] }) {
  const { lang } = useApp();
  const t = useT();
  const question: api.AnalyticsQuestion = { dx: [figure.code], ou: units.map((c) => c.code), pe: [pe] };
  const answer = useLoad(units.length ? api.analyticsPath(question, 'json') : null, () => api.analytics(question));
  if (units.length === 0) return null;
  const values = valuesOf(answer.data);
  // Largest first; units without a value last, by name.
  const ranked = units.map((c) => ({ ...c, value: values.get(`${figure.code}|${c.code}|${pe}`) ?? null }))
    .sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.name.localeCompare(b.name, 'vi'));
  return (
    <div>
      <ErrorBox error={answer.error} />
      {answer.loading && <Loading />}
      {answer.data && (
        <Chart name="units" kind="bar" title={t('unitsCompared', { item: figure.name, period: formatPeriod(pe, lang) })}
          categoryLabel={t('unit')} categories={ranked.map((c) => c.name)} codes={ranked.map((c) => c.code)}
          categoryLinks={ranked.map((c) => href(['dashboard'], { ds: dataSet, ou: c.code, pe, dx: figure.code }))}
          series={[{ name: figure.name, values: ranked.map((c) => c.value), links: ranked.map((c) => analyticsLink(figure.code, c.code, pe)) }]}
          format={(v) => formatQuantity(v, lang, figure.decimals, figure.unit)} wholeNumbers={figure.decimals === 0} />
      )}
    </div>
  );
}

// One evaluation set rolled up for the unit: a set of criteria as the share of units that
// meet all of them, a rating as the units per class, both against last year.
function EvaluationResult({ set, ou, pe, lastYear }: { set: api.Pack['evaluationSets'][number]; ou: string; pe: string; lastYear: string | null }) {
  const { lang } = useApp();
  const t = useT();
  const periods = lastYear ? `${lastYear},${pe}` : pe;
  const result = useLoad(`${set.code}|${ou}|${periods}`, () => api.evaluation(set.code, ou, periods));
  if (result.error) return <ErrorBox error={result.error} />;
  if (!result.data) return result.loading ? <Loading /> : null;
  const group = result.data.groups[0];
  const summaryAt = (p: string | null) => group?.summaries.find((s) => s.ou === ou && s.pe === p);
  const now = summaryAt(pe);
  const before = summaryAt(lastYear);
  // A set that has no unit of its level under this unit says nothing here.
  if (!group || !now || now.units === 0) return null;
  const name = lang === 'en' ? set.nameEn : set.name;
  const list = href(['evaluation'], { set: set.code, ou, pe });
  if (now.assessed === 0) {
    return (
      <div class="evaluation-card" data-testid={`evaluation-${set.code}`}>
        <h4>{name}</h4>
        <p class="muted">{t('noEvaluationData')}</p>
      </div>
    );
  }
  if (group.kind === 'classes') {
    const classes = group.classes;
    const countOf = (s: api.EvaluationSummary | undefined, code: string) => s?.classes.find((c) => c.code === code)?.count ?? null;
    return (
      <div class="evaluation-card" data-testid={`evaluation-${set.code}`}>
        <Chart name={`rating-${set.code}`} kind="bar" title={`${name} — ${formatPeriod(pe, lang)}`} categoryLabel={t('evaluationClass')}
          categories={classes.map((c) => (lang === 'en' ? c.name_en : c.name_vi))} codes={classes.map((c) => c.code)}
          series={[
            { name: formatPeriod(pe, lang), values: classes.map((c) => countOf(now, c.code)), links: classes.map((c) => href(['evaluation'], { set: set.code, ou, pe, outcome: c.code })) },
            ...(before && before.assessed > 0 && lastYear ? [{ name: formatPeriod(lastYear, lang), values: classes.map((c) => countOf(before, c.code)) }] : []),
          ]}
          format={(v) => formatNumber(v, lang, 0)} wholeNumbers />
        <p><a href={list}>{t('evaluationAssessed', { assessed: formatNumber(now.assessed, lang) })}</a></p>
      </div>
    );
  }
  const change = now.change_met;
  return (
    <div class="evaluation-card" data-testid={`evaluation-${set.code}`}>
      <h4>{name}</h4>
      <p class="figure-value">
        <a href={list} data-testid="evaluation-met">{t('evaluationMet', { met: formatNumber(now.met, lang), assessed: formatNumber(now.assessed, lang) })}</a>
      </p>
      <p class="hint">
        {now.share_met !== null && formatQuantity(now.share_met, lang, 1, '%')}
        {change !== null && before && lastYear && (
          <> · {t('changePoints', { value: formatChange(change, lang) })}{' '}
            {t('comparedWith', { period: formatPeriod(lastYear, lang) })} {before.share_met !== null && formatQuantity(before.share_met, lang, 1, '%')}</>
        )}
      </p>
    </div>
  );
}
