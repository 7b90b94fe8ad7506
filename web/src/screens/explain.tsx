// Where a figure comes from (GET /api/analytics/explain): the figure, an indicator's formula,
// and per element the values that make it — unit, period, option, value, how it counts
// (direct, via an old unit, at a share, unallocated) — with each value's history and its
// form's approval state. The question is the URL: #/explain?dx=…&ou=…&pe=…[&structureAt=…].
import * as api from '../api';
import { ErrorBox, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { formatNumber, formatPeriod, formatTimestamp } from '../format';
import { hasMessage, type Lang } from '../i18n';
import { href } from '../router';
import { useApp, useT } from '../state';

function decimalsOf(valueType: string): number {
  return valueType === 'number' ? 4 : 2;
}

export default function Explain({ query }: { query: URLSearchParams }) {
  const { lang } = useApp();
  const t = useT();
  const asked: api.ExplainQuestion = {
    dx: query.get('dx') ?? '',
    ou: query.get('ou') ?? '',
    pe: query.get('pe') ?? '',
    structureAt: query.get('structureAt') || undefined,
  };
  const complete = asked.dx !== '' && asked.ou !== '' && asked.pe !== '';
  const key = complete ? `${asked.dx}|${asked.ou}|${asked.pe}|${asked.structureAt ?? ''}|${lang}` : null;
  const answer = useLoad(key, () => api.explain(asked, lang));
  const x = answer.data;
  const decimals = x ? (x.indicator ? x.decimals ?? 1 : decimalsOf(x.valueType)) : 2;
  return (
    <section>
      <PageTitle>{t('explainTitle')}</PageTitle>
      {!complete && <p class="muted">{t('explainAsk')}</p>}
      {answer.loading && <Loading />}
      <ErrorBox error={answer.error} />
      {x && (
        <>
          <dl class="facts" data-testid="explain-figure">
            <dt>{x.indicator ? t('indicators') : t('elements')}</dt>
            <dd>{x.name} <span class="muted code">{x.dx}</span></dd>
            <dt>{t('explainUnit')}</dt>
            <dd>{x.ouName} <span class="muted code">{x.ou}</span></dd>
            <dt>{t('explainPeriod')}</dt>
            <dd>{formatPeriod(x.pe, lang)}</dd>
            <dt>{t('explainFigure')}</dt>
            <dd data-testid="explain-value">{x.value === null ? t('noData') : formatNumber(x.value, lang, decimals)}</dd>
            {x.indicator && x.formula && (
              <>
                <dt>{t('explainFormula')}</dt>
                <dd><code data-testid="explain-formula">{x.formula}</code></dd>
              </>
            )}
          </dl>
          {!x.historyIncluded && <p class="muted" data-testid="explain-no-history">{t('explainNoHistory')}</p>}
          {x.series.map((s) => <Series key={s.code} series={s} explanation={x} lang={lang} />)}
        </>
      )}
    </section>
  );
}

function Series({ series: s, explanation: x, lang }: { series: api.ExplainSeries; explanation: api.Explanation; lang: Lang }) {
  const t = useT();
  const decimals = decimalsOf(s.valueType);
  const number = (v: number) => formatNumber(v, lang, decimals);
  const aggregation = `aggregation.${s.aggregation}`;
  const basis = (p: api.ExplainPart) => t(`basis.${p.basis}`, {
    source: p.source ? `${p.source} ${p.sourceName ?? ''}`.trim() : '',
    into: p.into ?? '',
    share: p.share === undefined ? '' : formatNumber(p.share, lang, 6),
  });
  const columns = [
    { key: 'unit', label: t('unit') },
    { key: 'period', label: t('period') },
    { key: 'option', label: t('explainOption') },
    { key: 'value', label: t('value'), numeric: true },
    { key: 'basis', label: t('explainBasis') },
    ...(x.historyIncluded ? [{ key: 'history', label: t('explainHistory') }] : []),
  ];
  return (
    <section class="stack" data-testid={`explain-series-${s.code}`}>
      <h2>
        {x.indicator ? (
          <a href={href(['explain'], { dx: s.code, ou: x.ou, pe: x.pe, structureAt: x.structureAt })}>{s.name}</a>
        ) : s.name}{' '}
        <span class="muted code">{s.code}</span>: {s.value === null ? t('noData') : number(s.value)}
      </h2>
      <p class="muted">{hasMessage(aggregation) ? t(aggregation) : s.aggregation}; {t('explainCount', { count: formatNumber(s.partCount, lang, 0) })}</p>
      {s.parts.length === 0 ? <p>{t('explainNoParts')}</p> : (
        <ScrollTable label={s.name} testId="explain-parts" stacked columns={columns}>
          {s.parts.map((p) => (
            <tr key={`${p.unit}|${p.period}|${p.option}|${p.basis}|${p.source ?? ''}`} data-basis={p.basis}>
              <td data-label={t('unit')}>{p.unitName} <span class="muted code">{p.unit}</span></td>
              <td data-label={t('period')}>{formatPeriod(p.period, lang)}</td>
              <td data-label={t('explainOption')}>{p.option}</td>
              <td data-label={t('value')} class="num">{number(p.value)}</td>
              <td data-label={t('explainBasis')}>{basis(p)}</td>
              {x.historyIncluded && (
                <td data-label={t('explainHistory')}>
                  <ul class="plain">
                    {(p.history ?? []).map((c, i) => (
                      <li key={i}>
                        <time dateTime={c.changedAt}>{formatTimestamp(c.changedAt, lang)}</time> {c.changedBy}:{' '}
                        {t(`action.${c.action}`)}{' '}
                        {c.action === 'update' ? `${c.oldValue} → ${c.newValue}` : c.action === 'create' ? c.newValue : c.oldValue}
                      </li>
                    ))}
                    {(p.forms ?? []).map((f) => (
                      <li key={`${f.dataSet}|${f.period}`} data-testid="explain-form">
                        {t('explainForm')} {f.dataSet} ({formatPeriod(f.period, lang)}): <strong>{f.stateName}</strong>
                        {f.changedBy && <> — {f.changedBy}, {f.changedAt && formatTimestamp(f.changedAt, lang)}</>}
                      </li>
                    ))}
                  </ul>
                </td>
              )}
            </tr>
          ))}
        </ScrollTable>
      )}
      {s.omitted > 0 && (
        <p class="muted">
          {s.aggregation === 'sum' || s.aggregation === 'last'
            ? t('explainOmittedTotal', { count: formatNumber(s.omitted, lang, 0), total: number(s.omittedTotal) })
            : t('explainOmitted', { count: formatNumber(s.omitted, lang, 0) })}
        </p>
      )}
      {s.unallocated.length > 0 && (
        <p>{t('unallocated')} {s.unallocated.map((u) => `${u.unit} → ${u.into} ${number(u.value)}`).join('; ')}</p>
      )}
    </section>
  );
}
