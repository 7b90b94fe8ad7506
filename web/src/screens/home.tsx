// Home: what waits for the user (forms to submit or review, late first, each a link to its
// form or review screen), who they are, and the screens their role can use (what it cannot
// use is not offered).
import * as api from '../api';
import { ErrorBox, PageTitle, useLoad } from '../components';
import { formatDate } from '../format';
import { hasMessage } from '../i18n';
import { can } from '../roles';
import { href } from '../router';
import { useApp, useT } from '../state';

export function Home() {
  const { user, lang } = useApp();
  const t = useT();
  // The scope's unit as it was on the day the scope was resolved: its name then.
  const scopeUnit = useLoad(user ? `${user.scope}@${user.scopeAt}` : null, () => api.unitAt(user!.scope, user!.scopeAt));
  const work = useLoad(user ? user.username : null, api.worklist);
  if (!user) return null;
  const roleKey = `role.${user.role}`;
  const links: { path: string[]; query?: Record<string, string>; label: string; hint: string; id: string }[] = [];
  if (can(user.role, 'read_data')) {
    links.push({ id: 'units', path: ['units', user.scope], query: { at: user.scopeAt }, label: t('unitsLink'), hint: t('unitsLinkHint') });
    links.push({ id: 'dashboard', path: ['dashboard'], query: { ou: user.scope }, label: t('dashboardLink'), hint: t('dashboardLinkHint') });
    links.push({ id: 'analytics', path: ['analytics'], query: { ou: user.scope }, label: t('analyticsLink'), hint: t('analyticsLinkHint') });
    links.push({ id: 'evaluation', path: ['evaluation'], query: { ou: user.scope }, label: t('evaluationLink'), hint: t('evaluationLinkHint') });
    links.push({ id: 'registries', path: ['registries'], query: { ou: user.scope }, label: t('registriesLink'), hint: t('registriesLinkHint') });
    links.push({ id: 'reports', path: ['reports'], query: { ou: user.scope }, label: t('reportsLink'), hint: t('reportsLinkHint') });
  }
  if (can(user.role, 'read_audit')) {
    links.push({ id: 'audit', path: ['audit'], query: { ou: user.scope }, label: t('auditLink'), hint: t('auditLinkHint') });
  }
  return (
    <section>
      <PageTitle>{t('welcome', { name: user.displayName || user.username })}</PageTitle>
      <h2>{t('worklistTitle')}</h2>
      <ErrorBox error={work.error} />
      {work.data && <Worklist items={work.data} scope={user.scope} />}
      <h2>{t('yourAccount')}</h2>
      <dl class="facts">
        <dt>{t('account')}</dt>
        <dd>{user.username}</dd>
        <dt>{t('role')}</dt>
        <dd data-testid="role">{hasMessage(roleKey) ? t(roleKey) : user.roleName}</dd>
        <dt>{t('scope')}</dt>
        <dd data-testid="scope">
          {user.scope}
          {scopeUnit.data && ` — ${scopeUnit.data.name}`}{' '}
          <span class="muted">({t('scopeResolvedAt', { date: formatDate(user.scopeAt, lang) })})</span>
        </dd>
      </dl>
      <h2>{t('whatYouCanDo')}</h2>
      <ul class="cards">
        {links.map((l) => (
          <li key={l.id}>
            <a href={href(l.path, l.query)} data-testid={`link-${l.id}`}>{l.label}</a>
            <p class="hint">{l.hint}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

const statusOrder = { late: 0, pending: 1, on_time: 2 };

function Worklist({ items, scope }: { items: api.WorkItem[]; scope: string }) {
  const { lang } = useApp();
  const t = useT();
  if (items.length === 0) return <p data-testid="worklist-empty">{t('worklistEmpty')}</p>;
  // Late first, then by deadline (the API's order within that).
  const sorted = items.map((item, i) => ({ item, i }))
    .sort((a, b) => statusOrder[a.item.status] - statusOrder[b.item.status] || a.item.deadline.localeCompare(b.item.deadline) || a.i - b.i)
    .map((x) => x.item);
  return (
    <>
      <p class="muted">{t('worklistCount', { count: items.length })}</p>
      <ul class="worklist" data-testid="worklist">
        {sorted.map((w) => {
          const review = w.kind === 'to_review';
          const path = review ? ['review', w.dataSet, scope, w.period] : ['forms', w.dataSet, w.orgUnit, w.period];
          const stateKey = `state.${w.state}`;
          return (
            <li key={`${w.kind}/${w.dataSet}/${w.orgUnit}/${w.period}`} data-status={w.status}>
              <a href={href(path, review ? { unit: w.orgUnit } : {})}>
                {t(`kind.${w.kind}`)}: {w.name} — {lang === 'en' ? w.periodNameEn : w.periodName}
              </a>
              <p class="hint">
                <span class="muted">{w.dataSet}</span>{' · '}
                {t('deadlineOn', { date: formatDate(w.deadline, lang) })}{' · '}
                {hasMessage(stateKey) ? t(stateKey) : w.stateName}{' · '}
                <span class={`status status-${w.status}`}>{t(`status.${w.status}`)}</span>
              </p>
            </li>
          );
        })}
      </ul>
    </>
  );
}
