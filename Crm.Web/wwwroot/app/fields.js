import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { fieldProblem } from './field-error.js';
import { session } from './session.js';

export const fieldTypes = { text: 'Text', number: 'Number', boolean: 'Yes or no', date: 'Date', oneOf: 'One of a list' };

const empty = { name: '', label: '', type: 'text', options: '' };

/** Admins define their tenant's custom fields; the profile editor and imports then take only values of each field's type. */
export function Fields() {
  const [fields, setFields] = useState(null);
  const [error, setError] = useState(null);
  const [form, setForm] = useState(empty);
  const [editing, setEditing] = useState(null);
  const [formError, setFormError] = useState(null);

  const refresh = () => api('/api/fields').then(({ data }) => setFields(data.items), setError);
  useEffect(() => { refresh(); }, []);
  const set = (name, value) => setForm(f => ({ ...f, [name]: value }));

  async function save(event) {
    event.preventDefault();
    setFormError(null);
    const options = form.type === 'oneOf' ? form.options.split(/[,\n]/).map(o => o.trim()).filter(Boolean) : [];
    try {
      await api(`/api/fields/${encodeURIComponent(form.name.trim())}`, {
        method: 'PUT', body: { label: form.label.trim() || null, type: form.type, options },
      });
      setForm(empty);
      setEditing(null);
      refresh();
    } catch (e) {
      setFormError(e);
    }
  }

  function edit(field) {
    setFormError(null);
    setEditing(field.name);
    setForm({ name: field.name, label: field.label, type: field.type, options: field.options.join(', ') });
  }

  async function remove(field) {
    if (!confirm(`Delete the field ${field.label}? Values customers hold stay, as attributes without a type.`)) return;
    try {
      await api(`/api/fields/${encodeURIComponent(field.name)}`, { method: 'DELETE' });
      refresh();
    } catch (e) {
      setError(e);
    }
  }

  const problem = name => fieldProblem(formError, name, `field-${name}`);

  return html`
    <section class="fields" aria-labelledby="fields-title">
      <h1 id="fields-title">Custom fields of ${session.user.tenant}</h1>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${fields === null ? html`<p class="loading" role="status">Loading fields…</p>` : fields.length === 0 ? html`<p>No custom fields yet.</p>` : html`
        <table>
          <thead><tr><th scope="col">Label</th><th scope="col">Attribute</th><th scope="col">Type</th><th scope="col">Options</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${fields.map(f => html`
            <tr>
              <td>${f.label}</td><td><code>attributes.${f.name}</code></td><td>${fieldTypes[f.type] ?? f.type}</td><td>${f.options.join(', ')}</td>
              <td>
                <button type="button" class="secondary" onClick=${() => edit(f)} aria-label="Edit ${f.label}">Edit</button>
                <button type="button" class="secondary" onClick=${() => remove(f)} aria-label="Delete ${f.label}">Delete</button>
              </td>
            </tr>`)}
          </tbody>
        </table>`}
      <form class="card" onSubmit=${save} aria-labelledby="field-form-title">
        <h2 id="field-form-title">${editing ? `Edit ${form.label || editing}` : 'Add a field'}</h2>
        <label for="field-name">Attribute name</label>
        <input id="field-name" value=${form.name} readOnly=${editing !== null} onInput=${e => set('name', e.target.value)}
          ...${problem('name').attributes} />
        ${problem('name').message}
        <label for="field-label">Label</label>
        <input id="field-label" value=${form.label} onInput=${e => set('label', e.target.value)}
          ...${problem('label').attributes} />
        ${problem('label').message}
        <label for="field-type">Type</label>
        <select id="field-type" value=${form.type} onChange=${e => set('type', e.target.value)}>
          ${Object.entries(fieldTypes).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
        ${problem('type').message}
        ${form.type === 'oneOf' && html`
          <label for="field-options">Options (comma separated)</label>
          <input id="field-options" value=${form.options} onInput=${e => set('options', e.target.value)}
            ...${problem('options').attributes} />
          ${problem('options').message}`}
        ${formError && !Object.keys(formError.errors ?? {}).length && html`<p class="error" role="alert">${formError.message}</p>`}
        <div class="row">
          <button type="submit">${editing ? 'Save field' : 'Add field'}</button>
          ${editing && html`<button type="button" class="secondary" onClick=${() => { setEditing(null); setForm(empty); }}>Cancel</button>`}
        </div>
      </form>
    </section>`;
}
