import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ApiError, download } from './api.js';
import { hub } from './hub.js';

const number = new Intl.NumberFormat();
const skip = '';

/** The import as the API says, then as the hub pushes it; a reconnect reads it once more. */
function useImport(id) {
  const [job, setJob] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const take = next => next.id === id && setJob(current => (current && current.status !== 'queued' && next.status === 'queued' ? current : next));
    const stop = hub.watchImports(take);
    api(`/api/imports/${id}`).then(({ data }) => take(data), setError);
    const unsubscribe = hub.onState(state => state === 'connected' && api(`/api/imports/${id}`).then(({ data }) => take(data), () => {}));
    return () => { stop(); unsubscribe(); };
  }, [id]);
  return { job, error };
}

/** One import as it runs: progress, counts, and what to do next. */
function ImportProgress({ id, onAgain }) {
  const { job, error } = useImport(id);
  const [cancelError, setCancelError] = useState(null);
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  if (!job) return html`<p class="loading" role="status">Starting the import…</p>`;

  const active = job.status === 'queued' || job.status === 'running';
  const cancel = () => api(`/api/imports/${id}/cancel`, { method: 'POST' }).catch(setCancelError);
  const counts = [
    ['Rows read', job.rowsRead], [job.dryRun ? 'Would create' : 'Created', job.created], [job.dryRun ? 'Would update' : 'Updated', job.updated],
    ['Unchanged', job.unchanged], ['Rejected', job.rejected],
  ];
  return html`
    <div class="card import-progress" aria-labelledby="progress-title">
      <h2 id="progress-title">${job.dryRun ? 'Dry run of' : 'Import of'} ${job.fileName}</h2>
      <p role="status" aria-live="polite" class="import-status ${job.status}">
        ${{ queued: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' }[job.status]}
        ${job.status === 'running' && job.eta != null && ` · about ${Math.ceil(job.eta)} s left`}
        ${job.rowsPerSecond > 0 && ` · ${number.format(Math.round(job.rowsPerSecond))} rows/s`}
      </p>
      <progress max="1" value=${job.progress} aria-label="Progress">${Math.round(job.progress * 100)}%</progress>
      ${job.error && html`<p class="error" role="alert">${job.error}</p>`}
      <dl class="import-counts">${counts.map(([label, value]) => html`<div><dt>${label}</dt><dd>${number.format(value)}</dd></div>`)}</dl>
      ${cancelError && html`<p class="error" role="alert">${cancelError.message}</p>`}
      <div class="actions">
        ${active && html`<button type="button" class="secondary" onClick=${cancel}>Cancel import</button>`}
        ${job.rejected > 0 && html`<button type="button" class="secondary" onClick=${() => download(`/api/imports/${job.id}/rejected`, `${job.fileName}-rejected.csv`).catch(setCancelError)}>Download rejected rows</button>`}
        ${!active && html`<button type="button" onClick=${onAgain}>Import another file</button>`}
      </div>
    </div>`;
}

/** The columns of the file and the field each goes to, as suggested and as the person corrects it. */
function MappingTable({ preview, mapping, onChange }) {
  const options = field => {
    const fields = [...preview.fields];
    if (field && !fields.includes(field)) fields.push(field);
    return fields;
  };
  return html`
    <table class="grid mapping">
      <caption>Map each column to a field, or skip it</caption>
      <thead><tr><th scope="col">Column</th><th scope="col">First values</th><th scope="col">Field</th></tr></thead>
      <tbody>${preview.columns.map(column => html`
        <tr>
          <th scope="row">${column.name}</th>
          <td class="samples">${column.samples.slice(0, 3).join(' · ')}</td>
          <td>
            <select aria-label="Field for ${column.name}" value=${mapping[column.name] ?? skip}
              onChange=${e => onChange({ ...mapping, [column.name]: e.target.value })}>
              <option value=${skip}>(skip)</option>
              ${options(mapping[column.name] ?? preview.suggestedMapping[column.name]).map(f => html`<option value=${f}>${f}</option>`)}
            </select>
          </td>
        </tr>`)}
      </tbody>
    </table>`;
}

/** Supervisors bring customers and their history in: choose a file, check the mapping, dry-run or import, and watch it. */
export function Imports() {
  const [file, setFile] = useState(null);
  const [kind, setKind] = useState('customers');
  const [matchOn, setMatchOn] = useState('externalId');
  const [preview, setPreview] = useState(null);
  const [mapping, setMapping] = useState({});
  const [dryRun, setDryRun] = useState(false);
  const [templateName, setTemplateName] = useState('');
  const [templates, setTemplates] = useState([]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState(null);

  useEffect(() => { api('/api/imports/templates').then(({ data }) => setTemplates(data.items), () => {}); }, [started]);

  const form = fields => {
    const data = new FormData();
    data.append('file', file);
    Object.entries(fields).forEach(([name, value]) => data.append(name, value));
    return data;
  };

  async function look(event) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const { data } = await api('/api/imports/preview', { method: 'POST', body: form({ kind, matchOn }) });
      setPreview(data);
      // A saved mapping chosen before stays; otherwise the suggestion is the start.
      setMapping(current => (Object.keys(current).length ? current : data.suggestedMapping));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function applyTemplate(name) {
    const template = templates.find(t => t.name === name);
    if (!template) return;
    setKind(template.kind);
    setMatchOn(template.matchOn);
    setMapping(template.mapping);
  }

  async function start(event) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    const chosen = Object.fromEntries(Object.entries(mapping).filter(([, field]) => field));
    try {
      if (templateName.trim()) {
        await api(`/api/imports/templates/${encodeURIComponent(templateName.trim())}`, { method: 'PUT', body: { kind, matchOn, mapping: chosen } });
      }
      const { data } = await api('/api/imports', { method: 'POST', body: form({ kind, matchOn, dryRun, mapping: JSON.stringify(chosen) }) });
      setStarted(data.id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function again() {
    setStarted(null);
    setPreview(null);
    setFile(null);
    setMapping({});
  }

  const messages = error instanceof ApiError ? Object.entries(error.errors).flatMap(([field, list]) => list.map(m => `${field}: ${m}`)) : [];
  return html`
    <section class="imports" aria-labelledby="imports-title">
      <h1 id="imports-title">Import</h1>
      <p class="sub">Customers or their interactions from a CSV or JSON Lines file, any size. Rows are matched on an external id or an email, so importing a file again changes nothing.</p>
      ${started ? html`<${ImportProgress} key=${started} id=${started} onAgain=${again} />` : html`
        <form class="card" onSubmit=${preview ? start : look} aria-labelledby="file-title">
          <h2 id="file-title">${preview ? 'Check the mapping' : 'Choose a file'}</h2>
          <label for="import-file">File (CSV or JSON Lines)</label>
          <input id="import-file" type="file" accept=".csv,.txt,.jsonl,.ndjson,text/csv" required
            onChange=${e => { setFile(e.target.files[0] ?? null); setPreview(null); setMapping({}); }} />
          <label for="import-kind">Each row is</label>
          <select id="import-kind" value=${kind} onChange=${e => { setKind(e.target.value); setPreview(null); }}>
            <option value="customers">a customer</option>
            <option value="interactions">an interaction (call, email, order…)</option>
          </select>
          <label for="import-match">Find existing customers by</label>
          <select id="import-match" value=${matchOn} onChange=${e => { setMatchOn(e.target.value); setPreview(null); }}>
            <option value="externalId">external id</option>
            <option value="email">email</option>
          </select>
          ${templates.length > 0 && html`
            <label for="import-template">Or use a saved mapping</label>
            <select id="import-template" onChange=${e => applyTemplate(e.target.value)}>
              <option value="">(none)</option>
              ${templates.map(t => html`<option value=${t.name}>${t.name}</option>`)}
            </select>`}
          ${preview && html`
            ${preview.problem && html`<p class="error" role="alert">${preview.problem}</p>`}
            <p class="sub">Read as ${preview.format.toUpperCase()}, ${preview.encoding}.</p>
            <${MappingTable} preview=${preview} mapping=${mapping} onChange=${setMapping} />
            <label class="check"><input type="checkbox" checked=${dryRun} onChange=${e => setDryRun(e.target.checked)} /> Dry run: check every row, change nothing</label>
            <label for="template-name">Save this mapping as (optional)</label>
            <input id="template-name" value=${templateName} onInput=${e => setTemplateName(e.target.value)} placeholder="ERP customers" />`}
          ${error && html`<div class="error" role="alert">${messages.length ? html`<ul>${messages.map(m => html`<li>${m}</li>`)}</ul>` : error.message}</div>`}
          <button type="submit" disabled=${busy || !file}>${preview ? (dryRun ? 'Start dry run' : 'Start import') : 'Preview'}</button>
        </form>`}
    </section>`;
}
