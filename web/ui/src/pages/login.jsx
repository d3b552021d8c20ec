import { useState } from 'preact/hooks';
import { api, describeError } from '../api.js';

export function Login({ onLogin, error: bootError }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const who = await api('/api/v1/auth/login', { method: 'POST', body: { username, password } });
      onLogin(who);
    } catch (err) {
      setError(err.status === 401 ? 'Wrong user name or password.' : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="panel login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">otsensor console</h1>
        <p class="muted">Log in to see the sensor's devices, map and alerts.</p>
        {bootError && <p class="error" role="alert">{describeError(bootError)}</p>}
        <label for="login-user">User name</label>
        <input
          id="login-user"
          name="username"
          autocomplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="login-password">Password</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
