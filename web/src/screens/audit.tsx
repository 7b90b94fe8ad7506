// Audit: the changes of the values under a unit in a period (GET /api/audit?ou=&pe=):
// who, when, which value, old → new. The question is the URL: #/audit?ou=03400&pe=2020.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { formatPeriod, formatTimestamp } from '../format';
import { navigate } from '../router';
import { useApp, useT } from '../state';

const columns = ['when', 'who', 'elements', 'unit', 'period', 'action', 'change'] as const;

export default function Audit({ query }: { query: URLSearchParams }) {
  const { lang } = useApp();
  const t = useT();
  const askedOu = query.get('ou') ?? '';
  const askedPe = query.get('pe') ?? '';
  const [ou, setOu] = useState(askedOu);
  const [pe, setPe] = useState(askedPe);
  const pack = useLoad('pack', api.pack);
  const entries = useLoad(askedOu && askedPe ? `${askedOu}|${askedPe}` : null, () => api.audit(askedOu, askedPe));

  const elementName = (code: string) => {
    const element = pack.data?.dataElements.find((e) => e.code === code);
    if (!element) return code;
    return lang === 'en' ? element.nameEn : element.name;
  };

  return (
    <section>
      <PageTitle>{t('auditTitle')}</PageTitle>
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        navigate(['audit'], { ou: ou.trim(), pe: pe.trim() });
      }}>
        <Field id="audit-ou" label={t('orgUnit')}>
          <input id="audit-ou" required value={ou} onInput={(e) => setOu(e.currentTarget.value)} />
        </Field>
        <Field id="audit-pe" label={t('period')} hint={t('periodHint')}>
          <input id="audit-pe" required value={pe} aria-describedby="audit-pe-hint" onInput={(e) => setPe(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary">{t('show')}</button>
      </form>
      {entries.loading && <Loading />}
      <ErrorBox error={entries.error} />
      {entries.data && entries.data.length === 0 && <p>{t('noAuditEntries')}</p>}
      {entries.data && entries.data.length > 0 && (
        <>
          <p class="muted" role="status">{t('auditCount', { count: entries.data.length })}</p>
          <ScrollTable label={t('auditTitle')} testId="audit-table" stacked columns={columns.map((key) => ({ key, label: t(key) }))}>
            {entries.data.map((e, i) => (
              <tr key={i}>
                <td data-label={t('when')}><time dateTime={e.changedAt}>{formatTimestamp(e.changedAt, lang)}</time></td>
                <td data-label={t('who')}>{e.changedBy}</td>
                <td data-label={t('elements')}>
                  {elementName(e.dataElement)}
                  {e.categoryOptionCombo && ` · ${e.categoryOptionCombo}`}
                </td>
                <td data-label={t('unit')}>{e.orgUnit}</td>
                <td data-label={t('period')}>{formatPeriod(e.period, lang)}</td>
                <td data-label={t('action')}>{t(`action.${e.action}`)}</td>
                <td data-label={t('change')}>
                  {/* One element: a stacked cell is a grid of label and value. */}
                  <span>
                    <span class="old">{e.oldValue === '' ? t('empty') : e.oldValue}</span>
                    {' → '}
                    <span class="new">{e.newValue === '' ? t('empty') : e.newValue}</span>
                  </span>
                </td>
              </tr>
            ))}
          </ScrollTable>
        </>
      )}
    </section>
  );
}
