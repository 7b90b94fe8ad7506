// Home: who the user is, their role and scope, and the screens their role can use (what it
// cannot use is not offered).
import * as api from '../api';
import { PageTitle, useLoad } from '../components';
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
  if (!user) return null;
  const roleKey = `role.${user.role}`;
  const links: { path: string[]; query?: Record<string, string>; label: string; hint: string; id: string }[] = [];
  if (can(user.role, 'read_data')) {
    links.push({ id: 'units', path: ['units', user.scope], query: { at: user.scopeAt }, label: t('unitsLink'), hint: t('unitsLinkHint') });
    links.push({ id: 'analytics', path: ['analytics'], query: { ou: user.scope }, label: t('analyticsLink'), hint: t('analyticsLinkHint') });
  }
  if (can(user.role, 'read_audit')) {
    links.push({ id: 'audit', path: ['audit'], query: { ou: user.scope }, label: t('auditLink'), hint: t('auditLinkHint') });
  }
  return (
    <section>
      <PageTitle>{t('welcome', { name: user.displayName || user.username })}</PageTitle>
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
