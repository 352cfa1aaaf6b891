import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ApiError } from './api.js';
import { fieldMessages, FieldError, fieldProblem } from './field-error.js';
import { channelLabels, formatAgo } from './format.js';

const consentChannels = ['email', 'sms', 'call', 'post', 'push'];
const lifecycles = ['lead', 'prospect', 'customer', 'churned'];

/** The tenant's custom fields, in their order: null until loaded; errors go to onError, or leave the list empty. */
function useFieldDefinitions(onError) {
  const [fields, setFields] = useState(null);
  useEffect(() => {
    api('/api/fields').then(({ data }) => setFields(data.items), error => { setFields([]); onError?.(error); });
  }, []);
  return fields;
}

/** Attributes as people read them: a defined field by its label, in the fields' order, its value as its type reads; the rest by name. */
function attributeRows(attributes, fields) {
  const defined = fields.filter(f => f.name in attributes);
  const known = new Set(defined.map(f => f.name));
  return [
    ...defined.map(f => [f.label, { true: 'Yes', false: 'No' }[attributes[f.name]] ?? String(attributes[f.name])]),
    ...Object.keys(attributes).filter(name => !known.has(name)).sort((a, b) => a.localeCompare(b)).map(name => [name, String(attributes[name])]),
  ];
}

export function ProfileCard({ customer: c, onEdit }) {
  const activity = c.activity;
  const fields = useFieldDefinitions() ?? [];
  return html`
    <div class="card">
      <div class="card-head">
        <h1>${c.displayName}</h1>
        <span class="badge ${c.lifecycle}">${c.lifecycle}</span>
      </div>
      ${(c.jobTitle || c.company) && html`<p class="sub">${[c.jobTitle, c.company].filter(Boolean).join(' at ')}</p>`}
      <dl>
        ${c.emails.length > 0 && html`<dt>Email</dt><dd>${c.emails.map(e => html`<a href="mailto:${e}">${e}</a> `)}</dd>`}
        ${c.phones.length > 0 && html`<dt>Phone</dt><dd>${c.phones.map(p => html`<a href="tel:${p}">${p}</a> `)}</dd>`}
        ${c.country && html`<dt>Country</dt><dd>${c.country}</dd>`}
        ${c.tags.length > 0 && html`<dt>Tags</dt><dd>${c.tags.map(t => html`<span class="tag">${t}</span>`)}</dd>`}
        <dt>Last contact</dt><dd>${formatAgo(activity.lastContactAt)}</dd>
        <dt>Interactions</dt>
        <dd>${activity.totalInteractions}${activity.totalInteractions > 0 && html` <small>(${Object.entries(activity.byChannel)
          .map(([channel, count]) => `${count} ${channelLabels[channel]?.toLowerCase() ?? channel}`).join(', ')})</small>`}</dd>
        ${c.valueSegment && html`<dt>Value segment</dt>
          <dd class="value-segment">${c.valueSegment.name} <small>(${c.valueSegment.frequency} order${c.valueSegment.frequency === 1 ? '' : 's'},
            ${c.valueSegment.monetary.toFixed(2)} spent; placed ${formatAgo(c.valueSegment.assignedAt)})</small></dd>`}
      </dl>
      <h2>Consent</h2>
      <ul class="consent">
        ${consentChannels.map(channel => {
          const status = c.consent[channel]?.status ?? 'unknown';
          return html`<li class=${status}><span>${channel}</span> ${status}</li>`;
        })}
      </ul>
      ${Object.keys(c.attributes).length > 0 && html`
        <h2>Attributes</h2>
        <dl class="attributes">${attributeRows(c.attributes, fields).map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`}
      <p class="meta">Version ${c.version} · updated ${formatAgo(c.updatedAt)}${c.updatedBy ? ` by ${c.updatedBy.name}` : ''}</p>
      <button type="button" onClick=${onEdit}>Edit profile</button>
    </div>`;
}

const list = text => text.split(/[,\n]/).map(s => s.trim()).filter(Boolean);

/** A custom field's value as its input holds it: text for every type, "true"/"false" for yes or no. */
const attributeText = value => (value === undefined || value === null ? '' : String(value));

/** What an input holds, as the API takes it for the field's type; null removes the attribute. A number that does not read goes as typed, for the API to explain. */
function attributeValue(type, text) {
  const value = text.trim();
  if (value === '') return null;
  if (type === 'number') return Number.isFinite(Number(value)) ? Number(value) : value;
  if (type === 'boolean') return value === 'true';
  return value;
}

function AttributeInput({ field, value, onChange, problem }) {
  const id = `edit-attribute-${field.name}`;
  const common = { id, ...problem.attributes };
  if (field.type === 'boolean' || field.type === 'oneOf') {
    const options = field.type === 'boolean' ? [['true', 'Yes'], ['false', 'No']] : field.options.map(o => [o, o]);
    return html`<select ...${common} value=${value} onChange=${e => onChange(e.target.value)}>
      <option value="">—</option>${options.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
    </select>`;
  }

  const type = { number: 'number', date: 'date' }[field.type] ?? 'text';
  return html`<input ...${common} type=${type} step=${type === 'number' ? 'any' : undefined} value=${value} onInput=${e => onChange(e.target.value)} />`;
}

/**
 * Edits with the version the page shows (If-Match): the API's messages appear next to the fields they are about,
 * and a change someone else saved first is reported instead of overwritten.
 */
export function ProfileEditor({ customer: c, onSaved, onCancel, onReload }) {
  // The version the edit is based on: a change that arrives live while editing must not be overwritten silently.
  const [baseVersion] = useState(c.version);
  const [form, setForm] = useState({
    displayName: c.displayName, givenName: c.givenName ?? '', familyName: c.familyName ?? '',
    emails: c.emails.join(', '), phones: c.phones.join(', '), company: c.company ?? '', jobTitle: c.jobTitle ?? '',
    country: c.country ?? '', tags: c.tags.join(', '), lifecycle: c.lifecycle,
    consent: Object.fromEntries(consentChannels.map(ch => [ch, c.consent[ch]?.status ?? 'unknown'])),
  });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  // The tenant's custom fields, each edited with an input of its type; attributes without a definition are shown, not edited here.
  const loaded = useFieldDefinitions(setError);
  const fields = loaded ?? [];
  const [attributes, setAttributes] = useState({});
  useEffect(() => {
    setAttributes(Object.fromEntries(fields.map(f => [f.name, attributeText(c.attributes[f.name])])));
  }, [loaded]);
  const set = (field, value) => setForm(f => ({ ...f, [field]: value }));

  async function save(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const text = value => value.trim() || null;
    try {
      const { data } = await api(`/api/customers/${encodeURIComponent(c.id)}`, {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        headers: { 'if-match': `"${baseVersion}"` },
        body: {
          displayName: text(form.displayName), givenName: text(form.givenName), familyName: text(form.familyName),
          emails: list(form.emails), phones: list(form.phones), company: text(form.company), jobTitle: text(form.jobTitle),
          country: text(form.country), tags: list(form.tags), lifecycle: form.lifecycle,
          consent: Object.fromEntries(Object.entries(form.consent).filter(([ch, s]) => s !== 'unknown' || c.consent[ch])),
          // Only what was changed: a value stored before its field was defined stays as it is unless edited.
          attributes: Object.fromEntries(fields
            .filter(f => attributes[f.name] !== attributeText(c.attributes[f.name]))
            .map(f => [f.name, attributeValue(f.type, attributes[f.name])])),
        },
      });
      onSaved(data);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function reload() {
    const { data } = await api(`/api/customers/${encodeURIComponent(c.id)}`);
    onReload(data);
  }

  const messages = field => fieldMessages(error, field);
  const field = (name, label, props = {}) => {
    const problem = fieldProblem(error, name, `edit-${name}`);
    return html`
      <label for="edit-${name}">${label}</label>
      <input id="edit-${name}" value=${form[name]} onInput=${e => set(name, e.target.value)} ...${problem.attributes} ...${props} />
      ${problem.message}`;
  };

  return html`
    <form class="card editor" onSubmit=${save} onKeyDown=${e => e.key === 'Escape' && onCancel()} aria-label="Edit profile">
      <h1>Edit ${c.displayName}</h1>
      ${(error?.status === 412 || c.version !== baseVersion) && html`
        <div class="conflict" role="alert">
          <p>Someone else changed this customer while you were editing${c.updatedBy ? ` (${c.updatedBy.name})` : ''}.
            ${error?.status === 412 ? ' Your changes were not saved.' : ' Saving would fail: load their version first.'}</p>
          <button type="button" onClick=${reload}>Load their version</button>
        </div>`}
      ${field('displayName', 'Display name', { autofocus: true })}
      <div class="row">
        <span>${field('givenName', 'Given name')}</span>
        <span>${field('familyName', 'Family name')}</span>
      </div>
      ${field('emails', 'Emails (comma separated)')}
      ${field('phones', 'Phones (comma separated)')}
      <div class="row">
        <span>${field('company', 'Company')}</span>
        <span>${field('jobTitle', 'Job title')}</span>
      </div>
      ${field('country', 'Country (ISO code, e.g. GB)', { maxlength: 2 })}
      ${field('tags', 'Tags (comma separated)')}
      <label for="edit-lifecycle">Lifecycle stage</label>
      <select id="edit-lifecycle" value=${form.lifecycle} onChange=${e => set('lifecycle', e.target.value)}>
        ${lifecycles.map(l => html`<option value=${l}>${l}</option>`)}
      </select>
      ${fields.length > 0 && html`
        <fieldset class="custom-fields">
          <legend>Custom fields</legend>
          ${fields.map(f => {
            const problem = fieldProblem(error, `attributes.${f.name}`, `edit-attribute-${f.name}`);
            return html`
              <label for="edit-attribute-${f.name}">${f.label}</label>
              <${AttributeInput} field=${f} value=${attributes[f.name] ?? ''} problem=${problem}
                onChange=${value => setAttributes(a => ({ ...a, [f.name]: value }))} />
              ${problem.message}`;
          })}
        </fieldset>`}
      <fieldset class="consent-grid">
        <legend>Consent</legend>
        ${consentChannels.map(ch => html`
          <label for="edit-consent-${ch}">${ch}</label>
          <select id="edit-consent-${ch}" value=${form.consent[ch]} onChange=${e => set('consent', { ...form.consent, [ch]: e.target.value })}>
            <option value="unknown">unknown</option><option value="granted">granted</option><option value="denied">denied</option>
          </select>`)}
        <${FieldError} messages=${messages('consent')} />
      </fieldset>
      ${error && error.status !== 412 && !(error instanceof ApiError && Object.keys(error.errors).length) && html`<p class="error" role="alert">${error.message}</p>`}
      <div class="row">
        <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save'}</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}
