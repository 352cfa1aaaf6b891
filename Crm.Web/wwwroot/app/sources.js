import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { fieldMessages, FieldError } from './field-error.js';
import { session } from './session.js';
import { formatAgo, formatDateTime } from './format.js';

const DebuggerRefresh = 2000;

/** The secrets of a source just created: the only time anyone sees them. */
function NewSecrets({ source, onDone }) {
  const origin = location.origin;
  return html`
    <div class="card secrets" role="alert" aria-labelledby="secrets-title">
      <h2 id="secrets-title">${source.name} is connected</h2>
      <p>Copy these now: they are shown this once and cannot be read again.</p>
      <dl>
        <dt>Write key</dt><dd><code>${source.writeKey}</code></dd>
        <dt>Webhook signing secret</dt><dd><code>${source.signingSecret}</code></dd>
        <dt>Webhook URL</dt><dd><code>${origin}${source.webhookUrl}</code></dd>
      </dl>
      <p>Send events with the Segment HTTP API, the write key as the user name:</p>
      <pre><code>curl -u ${source.writeKey}: -H 'content-type: application/json' \\
  -d '{"type":"track","userId":"u-42","event":"Order Completed"}' ${origin}/v1/track</code></pre>
      <button type="button" onClick=${onDone}>Done</button>
    </div>`;
}

/** The tenant's integrations; admins connect and revoke them, supervisors look. */
export function Sources() {
  const [sources, setSources] = useState(null);
  const [error, setError] = useState(null);
  const [name, setName] = useState('');
  const [formError, setFormError] = useState(null);
  const [created, setCreated] = useState(null);
  const admin = session.hasRole('admin');

  const refresh = () => api('/api/sources').then(({ data }) => setSources(data.items), setError);
  useEffect(() => { refresh(); }, []);

  async function create(event) {
    event.preventDefault();
    setFormError(null);
    try {
      const { data } = await api('/api/sources', { method: 'POST', body: { name } });
      setName('');
      setCreated(data);
      refresh();
    } catch (e) {
      setFormError(e);
    }
  }

  async function revoke(source) {
    if (!confirm(`Revoke ${source.name}? Its write key and webhooks stop working.`)) return;
    try {
      await api(`/api/sources/${source.id}`, { method: 'DELETE' });
      refresh();
    } catch (e) {
      setError(e);
    }
  }

  const nameErrors = fieldMessages(formError, 'name');
  return html`
    <section class="sources" aria-labelledby="sources-title">
      <h1 id="sources-title">Sources</h1>
      <p class="sub">Web sites, apps, help desks and phone systems that send events to ${session.user.tenant}.</p>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${created && html`<${NewSecrets} source=${created} onDone=${() => setCreated(null)} />`}
      ${sources === null ? html`<p class="loading" role="status">Loading sources…</p>`
        : sources.length === 0 ? html`<p class="empty">No sources yet.${admin ? ' Connect one below.' : ''}</p>`
        : html`
        <table class="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Connected</th><th scope="col">State</th><th scope="col">Webhook URL</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${sources.map(s => html`
            <tr class=${s.revokedAt ? 'disabled' : ''}>
              <td><a href="#/sources/${s.id}">${s.name}</a></td>
              <td>${formatAgo(s.createdAt)}</td>
              <td>${s.revokedAt ? `revoked ${formatAgo(s.revokedAt)}` : 'active'}</td>
              <td><code>${s.webhookUrl}</code></td>
              <td>${admin && !s.revokedAt && html`<button type="button" class="secondary" onClick=${() => revoke(s)}>Revoke</button>`}</td>
            </tr>`)}
          </tbody>
        </table>`}
      ${admin && html`
        <form class="card" onSubmit=${create} aria-labelledby="connect-title">
          <h2 id="connect-title">Connect a source</h2>
          <label for="source-name">Name</label>
          <input id="source-name" value=${name} onInput=${e => setName(e.target.value)} aria-invalid=${nameErrors.length > 0} placeholder="Web shop" />
          <${FieldError} messages=${nameErrors} />
          ${formError && !nameErrors.length && html`<p class="error" role="alert">${formError.message}</p>`}
          <button type="submit">Connect</button>
        </form>`}
    </section>`;
}

function DebuggerEntry({ entry }) {
  return html`
    <li class="debugger-entry ${entry.outcome}">
      <span class="badge ${entry.outcome}">${entry.outcome}</span>
      <span class="what"><strong>${entry.type ?? 'unknown'}</strong> ${entry.name ?? ''}
        ${entry.reason && html`<span class="reason">${entry.reason}</span>`}</span>
      <time datetime=${entry.at}>${formatDateTime(entry.at)}</time>
      ${entry.payload && html`<details><summary>Payload${entry.messageId ? ` · ${entry.messageId}` : ''}</summary><pre>${entry.payload}</pre></details>`}
    </li>`;
}

/** A source's live debugger: the last events it sent, accepted or not and why, refreshed while the page is open. */
export function SourceDebugger({ id }) {
  const [source, setSource] = useState(null);
  const [entries, setEntries] = useState(null);
  const [error, setError] = useState(null);
  const [paused, setPaused] = useState(false);

  useEffect(() => { api(`/api/sources/${id}`).then(({ data }) => setSource(data), setError); }, [id]);
  useEffect(() => {
    if (paused) return undefined;
    let stopped = false;
    const load = () => api(`/api/sources/${id}/events`)
      .then(({ data }) => { if (!stopped) { setEntries(data.items); setError(null); } }, e => !stopped && setError(e));
    load();
    const timer = setInterval(load, DebuggerRefresh);
    return () => { stopped = true; clearInterval(timer); };
  }, [id, paused]);

  return html`
    <section class="debugger" aria-labelledby="debugger-title">
      <p><a href="#/sources">← Sources</a></p>
      <div class="card-head">
        <h1 id="debugger-title">${source ? source.name : 'Source'} · event debugger</h1>
        <button type="button" class="secondary" aria-pressed=${paused} onClick=${() => setPaused(p => !p)}>${paused ? 'Resume' : 'Pause'}</button>
      </div>
      <p class="sub">The last events this source sent, newest first, whether they were accepted and why not. ${paused ? 'Paused.' : 'Refreshes every 2 seconds.'}</p>
      ${error && html`<p class="error" role="alert">${error.status === 404 ? 'No such source.' : error.message}</p>`}
      ${entries === null ? !error && html`<p class="loading" role="status">Loading events…</p>`
        : entries.length === 0 ? html`<p class="empty">No events from this source since the debugger started watching.</p>`
        : html`<ol class="debugger-list" aria-label="Recent events">${entries.map(e => html`<${DebuggerEntry} entry=${e} />`)}</ol>`}
    </section>`;
}
