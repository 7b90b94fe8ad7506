// Login: username and password to POST /api/login; the server's refusal (wrong password,
// too many attempts) is shown as the API words it.
import { useState } from 'preact/hooks';
import * as api from '../api';
import { ErrorBox, Field, PageTitle } from '../components';
import { useT } from '../state';

export function Login({ onSignedIn, notice }: { onSignedIn: (user: api.User) => void; notice?: string }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await api.login(username.trim(), password);
      setPassword('');
      onSignedIn(user);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="login">
      <PageTitle>{t('loginTitle')}</PageTitle>
      {notice && !error && <p class="notice" role="status">{notice}</p>}
      <form onSubmit={submit} class="stack">
        <Field id="login-username" label={t('username')}>
          <input id="login-username" name="username" autocomplete="username" required value={username}
            onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field id="login-password" label={t('password')}>
          <input id="login-password" name="password" type="password" autocomplete="current-password" required
            value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={error} />
        <button type="submit" class="primary" disabled={busy}>{busy ? t('signingIn') : t('signIn')}</button>
      </form>
    </section>
  );
}
