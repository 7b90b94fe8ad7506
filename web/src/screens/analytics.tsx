// Analytics table: data items from the pack, units and periods as `qpan analytics` takes
// them, the toggle for the 2025 boundaries (structureAt=2025-07-01), the table in the
// reader's number and period forms, and the same question as CSV or XLSX. The question is the URL:
// #/analytics?dx=…&ou=12&pe=2021&structureAt=2025-07-01.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { formatPeriod, formatQuantity, parseMachineNumber } from '../format';
import type { Lang } from '../i18n';
import { href, navigate } from '../router';
import { useApp, useT } from '../state';

const newStructureDate = '2025-07-01';

function list(text: string | null): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

// How a data item is written: an indicator with its decimals and unit, an element (or one
// of its options, `element.option`) as the server's table writes its value type.
interface ItemForm {
  name: (lang: Lang, fallback: string) => string;
  decimals: number;
  unit: string;
}

function itemForm(pack: api.Pack | undefined, code: string): ItemForm {
  const indicator = pack?.indicators.find((i) => i.code === code);
  if (indicator) {
    return { name: (lang, fallback) => (lang === 'en' ? indicator.nameEn : fallback), decimals: indicator.decimals, unit: indicator.unit };
  }
  const exact = pack?.dataElements.find((e) => e.code === code);
  const element = exact ?? pack?.dataElements.find((e) => e.code === code.slice(0, code.lastIndexOf('.')));
  return {
    name: (lang, fallback) => (lang === 'en' && exact ? exact.nameEn : fallback),
    decimals: element?.valueType === 'number' ? 4 : 2,
    unit: '',
  };
}

export default function Analytics({ query }: { query: URLSearchParams }) {
  const { lang, user } = useApp();
  const t = useT();
  const pack = useLoad('pack', api.pack);
  const [dx, setDx] = useState<string[]>(list(query.get('dx')));
  const [pick, setPick] = useState('');
  const [ou, setOu] = useState(query.get('ou') ?? user?.scope ?? '');
  const [pe, setPe] = useState(query.get('pe') ?? '');
  const [newStructure, setNewStructure] = useState(query.get('structureAt') === newStructureDate);

  const asked: api.AnalyticsQuestion = {
    dx: list(query.get('dx')),
    ou: list(query.get('ou')),
    pe: list(query.get('pe')),
    structureAt: query.get('structureAt') || undefined,
  };
  const complete = asked.dx.length > 0 && asked.ou.length > 0 && asked.pe.length > 0;
  const answer = useLoad(complete ? api.analyticsPath(asked, 'json') : null, () => api.analytics(asked));

  const nameOf = (code: string) => {
    const p = pack.data;
    const item = p?.indicators.find((i) => i.code === code) ?? p?.dataElements.find((e) => e.code === code);
    if (!item) return code;
    return lang === 'en' ? item.nameEn : item.name;
  };

  const submit = (e: Event) => {
    e.preventDefault();
    navigate(['analytics'], {
      dx: dx.join(','),
      ou: list(ou).join(','),
      pe: list(pe).join(','),
      structureAt: newStructure ? newStructureDate : undefined,
    });
  };

  return (
    <section>
      <PageTitle>{t('analyticsTitle')}</PageTitle>
      <form class="stack analytics-form" onSubmit={submit}>
        <ErrorBox error={pack.error} />
        <div class="inline-form">
          <Field id="dx-pick" label={t('dataItem')}>
            <select id="dx-pick" value={pick} onChange={(e) => setPick(e.currentTarget.value)}>
              <option value="">—</option>
              {pack.data && (
                <>
                  <optgroup label={t('indicators')}>
                    {pack.data.indicators.map((i) => <option key={i.code} value={i.code}>{nameOf(i.code)} ({i.code})</option>)}
                  </optgroup>
                  <optgroup label={t('elements')}>
                    {pack.data.dataElements.map((el) => <option key={el.code} value={el.code}>{nameOf(el.code)} ({el.code})</option>)}
                  </optgroup>
                </>
              )}
            </select>
          </Field>
          <button type="button" disabled={!pick} onClick={() => {
            if (pick && !dx.includes(pick)) setDx([...dx, pick]);
            setPick('');
          }}>{t('addDataItem')}</button>
        </div>
        <div>
          <h2 class="label-like" id="chosen-label">{t('chosenDataItems')}</h2>
          {dx.length === 0 ? <p class="muted">{t('noDataItems')}</p> : (
            <ul class="chips" aria-labelledby="chosen-label" data-testid="chosen-dx">
              {dx.map((code) => (
                <li key={code}>
                  <span>{nameOf(code)}</span>
                  <button type="button" class="chip-remove" aria-label={t('removeDataItem', { name: nameOf(code) })}
                    onClick={() => setDx(dx.filter((c) => c !== code))}>×</button>
                </li>
              ))}
            </ul>
          )}
        </div>
        <div class="inline-form fields">
          <Field id="ou" label={t('orgUnits')} hint={t('orgUnitsHint')}>
            <input id="ou" value={ou} aria-describedby="ou-hint" onInput={(e) => setOu(e.currentTarget.value)} />
          </Field>
          <Field id="pe" label={t('periods')} hint={t('periodsHint')}>
            <input id="pe" value={pe} aria-describedby="pe-hint" onInput={(e) => setPe(e.currentTarget.value)} />
          </Field>
        </div>
        <div class="check">
          <input id="structure-2025" type="checkbox" checked={newStructure}
            onChange={(e) => setNewStructure(e.currentTarget.checked)} />
          <label for="structure-2025">{t('newStructure')}</label>
        </div>
        <div class="actions">
          <button type="submit" class="primary">{t('showTable')}</button>
          {complete && <a class="button" href={api.analyticsPath(asked, 'csv')} download="qpan-analytics.csv">{t('downloadCsv')}</a>}
          {complete && <a class="button" href={api.analyticsPath(asked, 'xlsx')} download="qpan-analytics.xlsx">{t('downloadXlsx')}</a>}
        </div>
      </form>
      {!complete && <p class="muted">{t('chooseDataFirst')}</p>}
      {answer.loading && <Loading />}
      <ErrorBox error={answer.error} />
      {answer.data && <AnswerTable answer={answer.data} pack={pack.data} structureAt={asked.structureAt} />}
    </section>
  );
}

function AnswerTable({ answer, pack, structureAt }: { answer: api.AnalyticsAnswer; pack?: api.Pack; structureAt?: string }) {
  const { lang } = useApp();
  const t = useT();
  const { dimensions, items } = answer.metaData;
  if (answer.rows.length === 0) return <p data-testid="no-data">{t('noData')}</p>;
  const cells = new Map(answer.rows.map(([dx, ou, pe, value]) => [`${dx}|${ou}|${pe}`, value]));
  // One row per data item and unit that has a value, one column per period.
  const rows = dimensions.dx.flatMap((dx) => dimensions.ou.map((ou) => ({ dx, ou })))
    .filter(({ dx, ou }) => dimensions.pe.some((pe) => cells.has(`${dx}|${ou}|${pe}`)));
  return (
    <>
      <ScrollTable label={t('analyticsTitle')} testId="analytics-table" columns={[
        { key: 'dx', label: t('elements') },
        { key: 'ou', label: t('unit') },
        ...dimensions.pe.map((pe) => ({ key: pe, label: formatPeriod(pe, lang), numeric: true })),
      ]}>
      {rows.map(({ dx, ou }) => {
        const form = itemForm(pack, dx);
        return (
          <tr key={`${dx}|${ou}`}>
            <th scope="row">{form.name(lang, items[dx]?.name ?? dx)} <span class="muted code">{dx}</span></th>
            <td>{items[ou]?.name ?? ou}</td>
            {dimensions.pe.map((pe) => {
              const text = cells.get(`${dx}|${ou}|${pe}`);
              const value = text === undefined ? null : parseMachineNumber(text);
              return (
                <td class="num" key={pe} data-dx={dx} data-pe={pe}>
                  {text === undefined ? '' : (
                    <a href={href(['explain'], { dx, ou, pe, structureAt })} title={t('explainLink', { name: items[dx]?.name ?? dx })}>
                      {value === null ? text : formatQuantity(value, lang, form.decimals, form.unit)}
                    </a>
                  )}
                </td>
              );
            })}
          </tr>
        );
      })}
      </ScrollTable>
      {answer.qpanNotes && answer.qpanNotes.length > 0 && (
        <ul class="notes">
          {answer.qpanNotes.map((n) => {
            const form = itemForm(pack, n.dx);
            return (
              <li key={`${n.dx}|${n.ou}|${n.pe}`}>
                {items[n.dx]?.name ?? n.dx}, {items[n.ou]?.name ?? n.ou}, {formatPeriod(n.pe, lang)}:{' '}
                {n.usesShares && t('usesShares')}{' '}
                {n.unallocated.length > 0 && (
                  <>
                    {t('unallocated')}{' '}
                    {n.unallocated.map((p) => `${p.unit} → ${p.into} ${formatQuantity(p.value, lang, form.decimals, '')}`).join('; ')}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
