import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ApiError } from './api.js';
import { session } from './session.js';

export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { data } = await api('/api/auth/token', { method: 'POST', body: { username, password } });
      session.start(data);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 429 ? 'Too many attempts. Wait a minute and try again.' : e.message);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <main class="signin">
      <form onSubmit=${submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Crm.Orleans</h1>
        <label for="username">Email</label>
        <input id="username" type="email" autocomplete="username" required autofocus value=${username} onInput=${e => setUsername(e.target.value)} />
        <label for="password">Password</label>
        <input id="password" type="password" autocomplete="current-password" required value=${password} onInput=${e => setPassword(e.target.value)} />
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`;
}
