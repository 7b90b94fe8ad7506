// Evaluation list: the units a set of the pack evaluates under a unit in a period, each with
// its result (met, not met, a class) and the criteria it failed, filtered by result, by a
// failed criterion and by name (accents optional). The question and the filters are the URL:
// #/evaluation?set=eval.drug_free.commune&ou=12&pe=201601..201806&outcome=not_met.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { foldAccents, formatChange, formatNumber, formatPeriod, formatQuantity } from '../format';
import { href, navigate } from '../router';
import { useApp, useT } from '../state';

interface Filters {
  outcome: string;
  criterion: string;
  q: string;
}

export default function Evaluation({ query }: { query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const pack = useLoad('pack', api.pack);
  const asked = { set: query.get('set') ?? '', ou: query.get('ou') ?? '', pe: query.get('pe') ?? '' };
  const [form, setForm] = useState({ ...asked, ou: asked.ou || user?.scope || '' });
  const complete = Boolean(asked.set && asked.ou && asked.pe);
  const result = useLoad(complete ? `${asked.set}|${asked.ou}|${asked.pe}` : null, () => api.evaluation(asked.set, asked.ou, asked.pe));

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(['evaluation'], { set: form.set || pack.data?.evaluationSets[0]?.code, ou: form.ou.trim(), pe: form.pe.trim() });
  };

  return (
    <section>
      <PageTitle>{t('evaluationTitle')}</PageTitle>
      <form class="inline-form fields" onSubmit={submit}>
        <Field id="eval-set" label={t('evaluationSet')}>
          <select id="eval-set" value={form.set} onChange={(e) => setForm({ ...form, set: e.currentTarget.value })}>
            {pack.data?.evaluationSets.map((s) => <option key={s.code} value={s.code}>{lang === 'en' ? s.nameEn : s.name}</option>)}
          </select>
        </Field>
        <Field id="eval-ou" label={t('orgUnit')}>
          <input id="eval-ou" value={form.ou} required onInput={(e) => setForm({ ...form, ou: e.currentTarget.value })} />
        </Field>
        <Field id="eval-pe" label={t('period')} hint={t('dashboardPeriodHint')}>
          <input id="eval-pe" value={form.pe} aria-describedby="eval-pe-hint" required onInput={(e) => setForm({ ...form, pe: e.currentTarget.value })} />
        </Field>
        <button type="submit" class="primary">{t('show')}</button>
      </form>
      <ErrorBox error={pack.error} />
      {!complete && <p class="muted">{t('chooseEvaluation')}</p>}
      {result.loading && <Loading />}
      <ErrorBox error={result.error} />
      {result.data && (
        <Results answer={result.data} asked={asked}
          initial={{ outcome: query.get('outcome') ?? '', criterion: query.get('criterion') ?? '', q: query.get('q') ?? '' }} />
      )}
    </section>
  );
}

function Results({ answer, asked, initial }: { answer: api.Evaluation; asked: { set: string; ou: string; pe: string }; initial: Filters }) {
  const { lang } = useApp();
  const t = useT();
  const [filters, setFilters] = useState<Filters>(initial);
  const en = lang === 'en';
  // The filters join the address without a new history entry or a reload of the list, so
  // the filtered list can be bookmarked and shared.
  const change = (next: Partial<Filters>) => {
    const merged = { ...filters, ...next };
    setFilters(merged);
    history.replaceState(null, '', href(['evaluation'], { ...asked, outcome: merged.outcome, criterion: merged.criterion, q: merged.q.trim() }));
  };

  // The results and criteria that occur, in the order the API lists them.
  const outcomes = new Map<string, string>();
  const criteria = new Map<string, string>();
  for (const u of answer.units) {
    outcomes.set(u.outcome, en ? u.outcome_en : u.outcome_vi);
    for (const c of u.failing) criteria.set(c.code, en ? c.name_en : c.name_vi);
  }
  const names = new Map<string, string>(answer.groups.flatMap((g) => g.summaries.map((s) => [s.ou, s.name] as [string, string])));
  const wanted = foldAccents(filters.q);
  const shown = answer.units.filter((u) => (!filters.outcome || u.outcome === filters.outcome)
    && (!filters.criterion || u.failing.some((c) => c.code === filters.criterion))
    && (!wanted || foldAccents(u.name).includes(wanted)));
  const manyPeriods = answer.periods.length > 1;
  const criterionName = (c: api.EvaluatedUnit['without_data'][number]) => (typeof c === 'string' ? c : en ? c.name_en : c.name_vi);

  return (
    <>
      <h2>{answer.ou.name} — {answer.periods.map((p) => (en ? p.name_en : p.name_vi)).join('; ')}</h2>
      {answer.groups.map((g) => g.summaries.filter((s) => s.ou === answer.ou.code).map((s) => (
        <p key={`${g.sets.join()}|${s.pe}`} data-testid="evaluation-summary" data-pe={s.pe}>
          {manyPeriods && <>{formatPeriod(s.pe, lang)}: </>}
          {g.kind === 'classes'
            ? g.classes.map((c) => `${en ? c.name_en : c.name_vi} ${formatNumber(s.classes.find((x) => x.code === c.code)?.count ?? 0, lang)}`).join(' · ')
            : t('evaluationMet', { met: formatNumber(s.met, lang), assessed: formatNumber(s.assessed, lang) })}
          {g.kind !== 'classes' && s.share_met !== null && ` (${formatQuantity(s.share_met, lang, 1, '%')})`}
          {g.kind !== 'classes' && s.change_met !== null && ` · ${t('changePoints', { value: formatChange(s.change_met, lang) })}`}
          {s.no_data > 0 && ` · ${t('evaluationNoData', { count: formatNumber(s.no_data, lang) })}`}
        </p>
      )))}
      <div class="inline-form fields filters" role="search" aria-label={t('evaluationFilters')}>
        <Field id="filter-outcome" label={t('filterOutcome')}>
          <select id="filter-outcome" value={filters.outcome} onChange={(e) => change({ outcome: e.currentTarget.value })}>
            <option value="">{t('all')}</option>
            {[...outcomes].map(([code, name]) => <option key={code} value={code}>{name}</option>)}
          </select>
        </Field>
        <Field id="filter-criterion" label={t('filterCriterion')}>
          <select id="filter-criterion" value={filters.criterion} onChange={(e) => change({ criterion: e.currentTarget.value })}>
            <option value="">{t('all')}</option>
            {[...criteria].map(([code, name]) => <option key={code} value={code}>{name}</option>)}
          </select>
        </Field>
        <Field id="filter-name" label={t('filterName')}>
          <input id="filter-name" type="search" value={filters.q} onInput={(e) => change({ q: e.currentTarget.value })} />
        </Field>
      </div>
      <p role="status" data-testid="units-shown">{t('unitsShown', { shown: formatNumber(shown.length, lang), total: formatNumber(answer.units.length, lang) })}</p>
      <ScrollTable label={t('evaluationTitle')} testId="evaluation-units" stacked columns={[
        { key: 'name', label: t('unit') },
        { key: 'under', label: t('underUnit') },
        ...(manyPeriods ? [{ key: 'pe', label: t('period') }] : []),
        { key: 'outcome', label: t('filterOutcome') },
        { key: 'failing', label: t('failedCriteria') },
      ]}>
        {shown.map((u) => (
          <tr key={`${u.set}|${u.ou}|${u.pe}`} data-unit={u.ou} data-outcome={u.outcome}>
            {/* One child per cell: a phone's stacked row lays a cell out as label | content. */}
            <td data-label={t('unit')}><span>{u.name} <span class="muted code">{u.ou}</span></span></td>
            <td data-label={t('underUnit')}>{names.get(u.under) ?? u.under}</td>
            {manyPeriods && <td data-label={t('period')}>{formatPeriod(u.pe, lang)}</td>}
            <td data-label={t('filterOutcome')} data-testid="outcome">{en ? u.outcome_en : u.outcome_vi}</td>
            <td data-label={t('failedCriteria')}><div>
              {u.failing.length > 0 && (
                <ul class="criteria" data-testid="failing">
                  {u.failing.map((c) => <li key={c.code} data-code={c.code}>{en ? c.name_en : c.name_vi}</li>)}
                </ul>
              )}
              {u.without_data.length > 0 && <p class="hint">{t('withoutData')}: {u.without_data.map(criterionName).join('; ')}</p>}
            </div></td>
          </tr>
        ))}
      </ScrollTable>
    </>
  );
}
