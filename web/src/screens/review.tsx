// Review: how the units under a district or province stand on a form for a period (on time,
// late, not submitted, against the deadline), one unit's form read-only, and the decision on
// it — approve, return with a comment, and for the province lock or unlock.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, ScrollTable, useLoad } from '../components';
import { formatDate, formatNumber, formatPeriod, formatTimestamp, periodStart } from '../format';
import { hasMessage } from '../i18n';
import { href } from '../router';
import { useApp, useT } from '../state';
import { FormView } from './form';

export default function Review({ ds, ou, pe, unit }: { ds: string; ou: string; pe: string; unit?: string }) {
  const { lang } = useApp();
  const t = useT();
  const [version, setVersion] = useState(0);
  const progress = useLoad(`${ds}/${ou}/${pe}#${version}`, () => api.completeness(ds, ou, pe));
  // The unit named as it was when the period began (a district may since have merged).
  const place = useLoad(`${ou}@${pe}`, () => api.unitAt(ou, periodStart(pe) ?? undefined));
  const pack = useLoad('pack', api.pack);
  const dataSet = pack.data?.dataSets.find((d) => d.code === ds);
  const stateText = (state: string) => (hasMessage(`state.${state}`) ? t(`state.${state}` as 'state.draft') : state);
  const n = (v: number) => formatNumber(v, lang);
  return (
    <section>
      {dataSet && <p class="muted">{lang === 'en' ? dataSet.nameEn : dataSet.name}</p>}
      <PageTitle>{t('reviewTitle', { unit: place.data?.name ?? ou, period: formatPeriod(pe, lang) })}</PageTitle>
      <h2>{t('completeness')}</h2>
      <ErrorBox error={progress.error} />
      {progress.loading && <Loading />}
      {progress.data && (
        <>
          <p data-testid="completeness-summary">
            {t('completenessSummary', {
              onTime: n(progress.data.onTime), late: n(progress.data.late), pending: n(progress.data.pending),
              deadline: formatDate(progress.data.deadline, lang),
            })}
          </p>
          <ScrollTable label={t('completeness')} testId="completeness" stacked columns={[
            { key: 'unit', label: t('unit') },
            { key: 'state', label: t('state') },
            { key: 'status', label: t('status') },
            { key: 'first', label: t('firstSubmittedAt') },
          ]}>
            {progress.data.units.map((u) => (
              <tr key={u.orgUnit} data-unit={u.orgUnit} aria-current={u.orgUnit === unit ? 'true' : undefined}>
                <td data-label={t('unit')}>
                  <a href={href(['review', ds, ou, pe], { unit: u.orgUnit })}>{u.name}</a>
                </td>
                <td data-label={t('state')} data-testid="unit-state">{stateText(u.state)}</td>
                <td data-label={t('status')}><span class={`status status-${u.status}`}>{t(`status.${u.status}`)}</span></td>
                <td data-label={t('firstSubmittedAt')}>{u.firstSubmittedAt ? formatTimestamp(u.firstSubmittedAt, lang) : '–'}</td>
              </tr>
            ))}
          </ScrollTable>
        </>
      )}
      {unit && <UnitForm key={`${unit}#${version}`} ds={ds} unit={unit} pe={pe} onChanged={() => setVersion((v) => v + 1)} />}
    </section>
  );
}

// One unit's form read-only with the decisions the caller may take on it.
function UnitForm({ ds, unit, pe, onChanged }: { ds: string; unit: string; pe: string; onChanged: () => void }) {
  const t = useT();
  const loaded = useLoad(`${ds}/${unit}/${pe}`, () => api.form(ds, unit, pe));
  const [comment, setComment] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (loaded.error) return <ErrorBox error={loaded.error} />;
  if (!loaded.data) return <Loading />;
  const form = loaded.data;
  const act = async (action: api.ApprovalAction) => {
    setError(null);
    if (action === 'return' && !comment.trim()) {
      setError(new Error(t('returnNeedsComment')));
      return;
    }
    setBusy(true);
    try {
      await api.approval(action, ds, unit, pe, comment.trim());
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  // `may` says what the role may do on the unit; the state says what applies now (a draft
  // is not approved, only an approved form is locked). The API refuses the rest anyway.
  const state = form.approval.state;
  const decided = state === 'submitted' || state === 'approved';
  const actions: { action: api.ApprovalAction; label: string }[] = [];
  if (form.may.approve && decided) actions.push({ action: 'approve', label: t('approve') });
  if (form.may.return && decided) actions.push({ action: 'return', label: t('returnForm') });
  if (form.may.lock && state === 'approved') actions.push({ action: 'lock', label: t('lock') });
  if (form.may.unlock && state === 'locked') actions.push({ action: 'unlock', label: t('unlock') });
  return (
    <div class="unit-form" data-testid="unit-form">
      <h2>{t('unitForm')}: {form.orgUnit.name}</h2>
      <p><a href={href(['forms', ds, unit, pe])}>{t('openForm')}</a></p>
      {actions.length > 0 && (
        <form class="decision" onSubmit={(e) => e.preventDefault()} aria-label={t('decision')}>
          <Field id="decision-comment" label={t('decisionComment')}>
            <textarea id="decision-comment" rows={2} value={comment}
              onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <p class="actions">
            {actions.map((a) => (
              <button type="button" key={a.action} disabled={busy} onClick={() => act(a.action)}>{a.label}</button>
            ))}
          </p>
          <ErrorBox error={error} />
        </form>
      )}
      <FormView form={form} onChanged={onChanged} readOnly />
    </div>
  );
}
