// The application shell: finds out whether a session exists, shows Login or the screen the
// URL names, the header (navigation the role may use, values waiting for a connection, the
// language switch, sign-out) and loads the screens other than login and home on demand.
import { useEffect, useState } from 'preact/hooks';
import * as api from './api';
import { ErrorBox, Lazy, Loading, PageTitle } from './components';
import { storeLang, storedLang, translate, type Lang } from './i18n';
import { OfflineStatus } from './offline/status';
import { sessionChanged } from './offline/worker';
import { can } from './roles';
import { href, useRoute } from './router';
import { Home } from './screens/home';
import { Login } from './screens/login';
import { AppContext, useApp, useT } from './state';

const loadUnits = () => import('./screens/units');
const loadAnalytics = () => import('./screens/analytics');
const loadExplain = () => import('./screens/explain');
const loadAudit = () => import('./screens/audit');
const loadForm = () => import('./screens/form');
const loadReview = () => import('./screens/review');
const loadDashboard = () => import('./screens/dashboard');
const loadEvaluation = () => import('./screens/evaluation');
const loadRegistries = () => import('./screens/registries');
const loadReports = () => import('./screens/reports');

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const [user, setUser] = useState<api.User | null>(null);
  const [checked, setChecked] = useState(false);
  const [startError, setStartError] = useState<unknown>(null);
  const [sessionLost, setSessionLost] = useState(false);

  const setLang = (next: Lang) => {
    storeLang(next);
    setLangState(next);
  };

  useEffect(() => {
    // Data entry is part of the first screen: when the address names a form, its code comes
    // down while the officer types the login, not one slow round trip after it.
    if (window.location.hash.startsWith('#/forms/')) void loadForm().catch(() => undefined);
    document.documentElement.lang = lang;
    api.whenSessionLost(() => {
      setUser(null);
      setSessionLost(true);
    });
    api.me().then(
      (u) => {
        setUser(u);
        setChecked(true);
      },
      (e) => {
        setStartError(e);
        setChecked(true);
      },
    );
  }, []);

  useEffect(() => {
    document.title = translate(lang, 'appName');
  }, [lang]);

  const signedIn = (u: api.User) => {
    sessionChanged();
    setSessionLost(false);
    setUser(u);
  };

  return (
    <AppContext.Provider value={{ lang, setLang, user, setUser }}>
      <a class="skip" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>{translate(lang, 'skipToContent')}</a>
      <Header />
      <main id="main" tabIndex={-1}>
        {!checked ? <Loading />
          : startError && !user ? <ErrorBox error={startError} />
          : user ? <Screen />
          : <Login onSignedIn={signedIn} notice={sessionLost ? translate(lang, 'sessionExpired') : undefined} />}
      </main>
    </AppContext.Provider>
  );
}

function Header() {
  const { lang, setLang, user, setUser } = useApp();
  const t = useT();
  const route = useRoute();
  const current = route.path[0] ?? '';
  const link = (name: string, path: string[], label: string) => (
    <li><a href={href(path)} aria-current={current === name ? 'page' : undefined}>{label}</a></li>
  );
  return (
    <header class="bar">
      <a class="brand" href={href([])}>{t('appName')}</a>
      {user && (
        <nav aria-label={t('nav')}>
          <ul>
            {link('', [], t('home'))}
            {can(user.role, 'read_data') && link('units', ['units'], t('unitsLink'))}
            {can(user.role, 'read_data') && link('dashboard', ['dashboard'], t('dashboardLink'))}
            {can(user.role, 'read_data') && link('analytics', ['analytics'], t('analyticsLink'))}
            {can(user.role, 'read_data') && link('evaluation', ['evaluation'], t('evaluationLink'))}
            {can(user.role, 'read_data') && link('registries', ['registries'], t('registriesLink'))}
            {can(user.role, 'read_data') && link('reports', ['reports'], t('reportsLink'))}
            {can(user.role, 'read_audit') && link('audit', ['audit'], t('auditLink'))}
          </ul>
        </nav>
      )}
      {user && <OfflineStatus user={user.username} />}
      <div class="bar-end">
        <button type="button" class="link-button" lang={lang === 'vi' ? 'en' : 'vi'}
          aria-label={t('switchLanguageLabel')} onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {t('switchLanguage')}
        </button>
        {user && (
          <button type="button" class="link-button" onClick={async () => {
            try {
              await api.logout();
            } finally {
              sessionChanged();
              setUser(null);
              window.location.hash = href([]);
            }
          }}>{t('signOut')}</button>
        )}
      </div>
    </header>
  );
}

// The screen the URL names; the route's key remounts a screen when its address changes.
function Screen() {
  const route = useRoute();
  const { user } = useApp();
  const t = useT();
  const key = `${route.path.join('/')}?${route.query.toString()}`;
  switch (route.path[0] ?? '') {
    case '':
    case 'login':
      return <Home />;
    case 'units':
      return <Lazy key={key} load={loadUnits} props={{ code: route.path[1], at: route.query.get('at') ?? undefined, q: route.query.get('q') ?? undefined }} />;
    case 'analytics':
      return <Lazy key={key} load={loadAnalytics} props={{ query: route.query }} />;
    case 'explain':
      if (user && can(user.role, 'read_data')) return <Lazy key={key} load={loadExplain} props={{ query: route.query }} />;
      break;
    case 'dashboard':
      if (user && can(user.role, 'read_data')) return <Lazy key={key} load={loadDashboard} props={{ query: route.query }} />;
      break;
    case 'evaluation':
      if (user && can(user.role, 'read_data')) return <Lazy key={key} load={loadEvaluation} props={{ query: route.query }} />;
      break;
    case 'registries':
      if (user && can(user.role, 'read_data')) return <Lazy key={key} load={loadRegistries} props={{ path: route.path.slice(1), query: route.query }} />;
      break;
    case 'reports':
      if (user && can(user.role, 'read_data')) return <Lazy key={key} load={loadReports} props={{ path: route.path.slice(1), query: route.query }} />;
      break;
    case 'forms':
      if (route.path.length === 4) return <Lazy key={key} load={loadForm} props={{ ds: route.path[1], ou: route.path[2], pe: route.path[3] }} />;
      break;
    case 'review':
      if (route.path.length === 4) {
        return <Lazy key={key} load={loadReview} props={{ ds: route.path[1], ou: route.path[2], pe: route.path[3], unit: route.query.get('unit') ?? undefined }} />;
      }
      break;
    case 'audit':
      if (user && can(user.role, 'read_audit')) return <Lazy key={key} load={loadAudit} props={{ query: route.query }} />;
      break;
  }
  return (
    <section>
      <PageTitle>{t('notFoundTitle')}</PageTitle>
      <p>{t('notFoundBody')}</p>
      <p><a href={href([])}>{t('home')}</a></p>
    </section>
  );
}
