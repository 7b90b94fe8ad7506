// Unit tree: accent-insensitive search within the caller's scope (GET /api/units?q=) and a
// unit with the units under it on a day (GET /api/units/{code}?at=). Every state is a URL:
// #/units?q=lai%20chau, #/units/12?at=2020-01-01. A unit links to its forms for the period
// holding that day and to the review of the forms of the units under it.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, Loading, PageTitle, useLoad } from '../components';
import { formatDate, formatPeriod, periodOf } from '../format';
import { hasMessage } from '../i18n';
import { href, navigate } from '../router';
import { useApp, useT, type Translate } from '../state';

function levelName(t: Translate, level: string): string {
  const key = `level.${level}`;
  return hasMessage(key) ? t(key) : level;
}

export default function Units({ code, at, q }: { code?: string; at?: string; q?: string }) {
  const { user } = useApp();
  const t = useT();
  const [text, setText] = useState(q ?? '');
  const search = useLoad(q ? `q:${q}` : null, () => api.searchUnits(q!));

  return (
    <section>
      <PageTitle>{t('unitsTitle')}</PageTitle>
      <form class="inline-form" role="search" onSubmit={(e) => {
        e.preventDefault();
        navigate(['units'], { q: text.trim() });
      }}>
        <Field id="unit-search" label={t('searchUnits')} hint={t('searchUnitsHint')}>
          <input id="unit-search" type="search" value={text} aria-describedby="unit-search-hint"
            onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <button type="submit" class="primary">{t('search')}</button>
      </form>
      {q && (
        <div>
          <h2>{t('searchResults')}</h2>
          {search.loading && <Loading />}
          <ErrorBox error={search.error} />
          {search.data && search.data.length === 0 && <p>{t('noResults')}</p>}
          {search.data && search.data.length > 0 && (
            <ul class="unit-list" data-testid="search-results">
              {search.data.map((u) => (
                <li key={u.code}>
                  <a href={href(['units', u.code])}>{u.name}</a>{' '}
                  <span class="muted">{u.code} · {levelName(t, u.level)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {code ? <UnitAt code={code} at={at} />
        : !q && user && (
          <p><a href={href(['units', user.scope], { at: user.scopeAt })}>{t('myScopeUnit')}</a></p>
        )}
    </section>
  );
}

function UnitAt({ code, at }: { code: string; at?: string }) {
  const { lang } = useApp();
  const t = useT();
  const unit = useLoad(`${code}@${at ?? ''}`, () => api.unitAt(code, at));
  const [day, setDay] = useState(at ?? '');
  const shownAt = unit.data?.at ?? at;
  return (
    <div class="unit">
      <form class="inline-form" onSubmit={(e) => {
        e.preventDefault();
        navigate(['units', code], { at: day });
      }}>
        <Field id="unit-at" label={t('atDate')}>
          <input id="unit-at" type="date" value={day || shownAt || ''} required
            onInput={(e) => setDay(e.currentTarget.value)} />
        </Field>
        <button type="submit">{t('show')}</button>
      </form>
      {unit.loading && <Loading />}
      <ErrorBox error={unit.error} />
      {unit.data && (
        <>
          <h2 data-testid="unit-name">{unit.data.name}</h2>
          <dl class="facts">
            <dt>{t('code')}</dt>
            <dd>{unit.data.code}</dd>
            <dt>{t('level')}</dt>
            <dd>{levelName(t, unit.data.level)}</dd>
            <dt>{t('atDate')}</dt>
            <dd>{formatDate(unit.data.at, lang)}</dd>
            {unit.data.parent && (
              <>
                <dt>{t('parent')}</dt>
                <dd><a href={href(['units', unit.data.parent], { at: unit.data.at })}>{unit.data.parent}</a></dd>
              </>
            )}
          </dl>
          <UnitForms code={unit.data.code} level={unit.data.level} at={unit.data.at} />
          <h3>{t('children', { count: unit.data.children.length })}</h3>
          {unit.data.children.length === 0 ? <p>{t('noChildren')}</p> : (
            <ul class="unit-list" data-testid="children">
              {unit.data.children.map((c) => (
                <li key={c.code}>
                  <a href={href(['units', c.code], { at: unit.data!.at })}>{c.name}</a>{' '}
                  <span class="muted">{c.code} · {levelName(t, c.level)}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}

// How deep each level of the unit tree lies, to tell a unit's own forms (same level) from
// the forms of the units under it (a deeper level), which it reviews.
const depth: Record<string, number> = { country: 0, province: 1, district: 2, commune: 3, agency: 3 };

function UnitForms({ code, level, at }: { code: string; level: string; at: string }) {
  const { lang } = useApp();
  const t = useT();
  const pack = useLoad('pack', api.pack);
  if (!pack.data) return null;
  const links: { key: string; path: string[]; label: string }[] = [];
  for (const ds of pack.data.dataSets) {
    const pe = periodOf(ds.periodType, at);
    if (!pe) continue;
    const name = lang === 'en' ? ds.nameEn : ds.name;
    // Agencies report straight to the province.
    const reviews = depth[ds.level] > depth[level] && (ds.level !== 'agency' || level === 'province');
    if (ds.level === level) links.push({ key: ds.code, path: ['forms', ds.code, code, pe], label: `${name} — ${formatPeriod(pe, lang)}` });
    else if (reviews) links.push({ key: ds.code, path: ['review', ds.code, code, pe], label: `${t('openReview')}: ${name} — ${formatPeriod(pe, lang)}` });
  }
  if (links.length === 0) return null;
  return (
    <>
      <h3>{t('unitFormsTitle')}</h3>
      <ul class="unit-list" data-testid="unit-forms">
        {links.map((l) => <li key={l.key}><a href={href(l.path)}>{l.label}</a></li>)}
      </ul>
    </>
  );
}
