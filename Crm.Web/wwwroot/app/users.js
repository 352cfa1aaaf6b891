import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { fieldMessages, FieldError } from './field-error.js';
import { session } from './session.js';
import { formatAgo } from './format.js';

const roles = ['agent', 'supervisor', 'admin'];

/** Admins see their tenant's users, add them with roles, and disable them. */
export function Users() {
  const [users, setUsers] = useState(null);
  const [error, setError] = useState(null);
  const [form, setForm] = useState({ email: '', displayName: '', password: '', role: 'agent' });
  const [formError, setFormError] = useState(null);

  const refresh = () => api('/api/users').then(({ data }) => setUsers(data.items), setError);
  useEffect(() => { refresh(); }, []);

  async function add(event) {
    event.preventDefault();
    setFormError(null);
    try {
      await api('/api/users', { method: 'POST', body: { ...form, roles: [form.role] } });
      setForm({ email: '', displayName: '', password: '', role: 'agent' });
      refresh();
    } catch (e) {
      setFormError(e);
    }
  }

  async function disable(user) {
    if (!confirm(`Disable ${user.email}? They will not be able to sign in.`)) return;
    try {
      await api(`/api/users/${user.id}`, { method: 'DELETE' });
      refresh();
    } catch (e) {
      setError(e);
    }
  }

  const messages = field => fieldMessages(formError, field);
  const input = (name, label, type = 'text') => html`
    <label for="user-${name}">${label}</label>
    <input id="user-${name}" type=${type} value=${form[name]} onInput=${e => setForm(f => ({ ...f, [name]: e.target.value }))} aria-invalid=${messages(name).length > 0} />
    <${FieldError} messages=${messages(name)} />`;

  return html`
    <section class="users" aria-labelledby="users-title">
      <h1 id="users-title">Users of ${session.user.tenant}</h1>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${users === null ? html`<p class="loading" role="status">Loading users…</p>` : html`
        <table>
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Roles</th><th scope="col">Since</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${users.map(u => html`
            <tr class=${u.disabledAt ? 'disabled' : ''}>
              <td>${u.displayName}</td><td>${u.email}</td><td>${u.roles.join(', ')}</td><td>${formatAgo(u.createdAt)}</td>
              <td>${u.disabledAt ? 'disabled' : u.id !== session.user.id && html`<button type="button" class="secondary" onClick=${() => disable(u)}>Disable</button>`}</td>
            </tr>`)}
          </tbody>
        </table>`}
      <form class="card" onSubmit=${add} aria-labelledby="add-user-title">
        <h2 id="add-user-title">Add a user</h2>
        ${input('email', 'Email', 'email')}
        ${input('displayName', 'Name')}
        ${input('password', 'Initial password (10 characters or more)', 'password')}
        <label for="user-role">Role</label>
        <select id="user-role" value=${form.role} onChange=${e => setForm(f => ({ ...f, role: e.target.value }))}>
          ${roles.map(r => html`<option value=${r}>${r}</option>`)}
        </select>
        ${formError && !Object.keys(formError.errors ?? {}).length && html`<p class="error" role="alert">${formError.message}</p>`}
        <button type="submit">Add user</button>
      </form>
    </section>`;
}
