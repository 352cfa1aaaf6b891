import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { hub } from './hub.js';
import { session } from './session.js';
import { formatAgo, formatDateTime } from './format.js';

/** The fields a merge lets you choose between, with how each reads in the comparison. */
const fields = [
  ['displayName', 'Name', c => c.displayName],
  ['givenName', 'Given name', c => c.givenName],
  ['familyName', 'Family name', c => c.familyName],
  ['emails', 'Emails', c => c.emails?.join(', ') || null],
  ['phones', 'Phones', c => c.phones?.join(', ') || null],
  ['company', 'Company', c => c.company],
  ['jobTitle', 'Job title', c => c.jobTitle],
  ['country', 'Country', c => c.country],
  ['address', 'Address', c => c.address && [c.address.line1, c.address.line2, c.address.city, c.address.postalCode, c.address.country].filter(Boolean).join(', ')],
  ['externalId', 'External id', c => c.externalId],
  ['lifecycle', 'Lifecycle', c => c.lifecycle],
  ['tags', 'Tags', c => c.tags?.join(', ') || null],
];

/** Emails, phones and tags of all customers are kept; the choice only says whose come first. */
const unioned = new Set(['emails', 'phones', 'tags']);

const percent = score => `${Math.round(score * 100)}%`;
const interactionCount = n => `${n.toLocaleString()} ${n === 1 ? 'interaction' : 'interactions'}`;

function ScanStatus({ scan, canScan, onScan }) {
  if (!scan) return null;
  const text = scan.status === 'running'
    ? `Checking every customer: ${scan.checked.toLocaleString()} of ${scan.total.toLocaleString()}…`
    : scan.status === 'completed'
    ? `All ${scan.checked.toLocaleString()} customers checked ${formatAgo(scan.finishedAt)}${scan.pendingChanges ? `; ${scan.pendingChanges.toLocaleString()} changed since, being checked` : ''}.`
    : 'Not checked yet.';
  return html`
    <div class="scan row">
      <p role="status" aria-live="polite">${text}</p>
      ${scan.status === 'running' && html`<progress max=${Math.max(1, scan.total)} value=${scan.checked} aria-label="Customers checked"></progress>`}
      ${canScan && scan.status !== 'running' && html`<button type="button" class="secondary" onClick=${onScan}>Check all again</button>`}
    </div>`;
}

/** A version 4 UUID; crypto.randomUUID exists only on secure origins, getRandomValues everywhere. */
function newMergeId() {
  if (globalThis.crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How a merge ended, after who merged what and when. */
function mergeOutcome(merge) {
  switch (merge.status) {
    case 'undone': return ` — undone by ${merge.undoneBy?.name}`;
    case 'failed': return ` — failed, nothing changed: ${merge.failure?.reason}`;
    case 'merging': case 'undoing': return ' — under way';
    default: return '';
  }
}

/** The duplicates queue: likely pairs, best first, with why; supervisors compare, merge, dismiss, and undo merges. */
export function Duplicates() {
  const [minScore, setMinScore] = useState('0.5');
  const [queue, setQueue] = useState(null);
  const [scan, setScan] = useState(null);
  const [error, setError] = useState(null);
  const [comparing, setComparing] = useState(null);
  const [merges, setMerges] = useState([]);
  const [version, setVersion] = useState(0);
  const canMerge = session.hasRole('supervisor', 'admin');

  const reload = () => setVersion(v => v + 1);
  useEffect(() => {
    let cancelled = false;
    api(`/api/duplicates?minScore=${minScore}&limit=50`).then(({ data }) => {
      if (cancelled) return;
      setQueue(data);
      setScan(data.scan);
      setError(null);
    }, e => !cancelled && setError(e));
    if (canMerge) api('/api/merges?limit=10').then(({ data }) => !cancelled && setMerges(data.items), () => {});
    return () => { cancelled = true; };
  }, [minScore, version]);

  // Progress and re-checks are pushed; the queue is read again once work settles, not at every step of a scan.
  useEffect(() => hub.watchDuplicates(next => {
    setScan(previous => {
      if (next.status !== 'running' && (previous?.status === 'running' || next.pendingChanges === 0)) reload();
      return next;
    });
  }), []);

  async function act(call) {
    try {
      await call();
      reload();
    } catch (e) {
      setError(e);
    }
  }

  const dismiss = pair => act(() => api('/api/duplicates/dismiss', { method: 'POST', body: { customerIds: pair.customerIds } }));
  const undo = merge => act(() => api(`/api/merges/${merge.id}/undo`, { method: 'POST' }));
  const rescan = () => act(() => api('/api/duplicates/scan', { method: 'POST' }));

  return html`
    <section class="duplicates" aria-labelledby="duplicates-title">
      <h1 id="duplicates-title">Duplicates</h1>
      <${ScanStatus} scan=${scan} canScan=${canMerge} onScan=${rescan} />
      <div class="row">
        <label for="duplicates-min-score">Show pairs scoring at least</label>
        <select id="duplicates-min-score" value=${minScore} onChange=${e => setMinScore(e.target.value)}>
          ${['0.9', '0.7', '0.5'].map(s => html`<option value=${s}>${percent(Number(s))}</option>`)}
        </select>
      </div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${comparing && html`<${MergeCompare} key=${comparing.customerIds.join()} pair=${comparing}
        onDone=${() => { setComparing(null); reload(); }} onCancel=${() => setComparing(null)} />`}
      ${queue === null ? html`<p class="loading" role="status">Loading the duplicates…</p>`
        : queue.items.length === 0 ? html`<p>No likely duplicates at this score.</p>` : html`
        <ul class="pairs" aria-label="Likely duplicates">
          ${queue.items.map(pair => html`
            <li class="card pair">
              <p class="score"><strong>${percent(pair.score)}</strong> likely the same${pair.exactIdentity ? ' (same identity)' : ''}</p>
              <p class="who">${pair.customers.map((c, i) => html`${i > 0 && ' and '}<a href="#/customers/${encodeURIComponent(c.id)}">${c.displayName}</a>`)}</p>
              <ul class="reasons">${pair.reasons.map(r => html`<li>${r.text}</li>`)}</ul>
              ${canMerge && html`<div class="row">
                <button type="button" onClick=${() => setComparing(pair)} aria-label="Compare ${pair.customers.map(c => c.displayName).join(' and ')}">Compare and merge</button>
                <button type="button" class="secondary" onClick=${() => dismiss(pair)} aria-label="${pair.customers.map(c => c.displayName).join(' and ')} are different people">Not the same person</button>
              </div>`}
            </li>`)}
        </ul>`}
      ${canMerge && merges.length > 0 && html`
        <h2>Recent merges</h2>
        <ul class="merges" aria-label="Recent merges">
          ${merges.map(m => html`
            <li>
              <span>${(m.before.length > 0 ? m.before.slice(1).map(c => c.displayName) : m.mergedIds).join(', ')} merged into <a href="#/customers/${encodeURIComponent(m.survivorId)}">${m.after?.displayName ?? m.survivorId}</a>
                by ${m.mergedBy.name}, ${formatDateTime(m.mergedAt)}${mergeOutcome(m)}</span>
              ${m.status === 'completed' && html`<button type="button" class="secondary" onClick=${() => undo(m)} aria-label="Undo the merge into ${m.after.displayName}">Undo</button>`}
            </li>`)}
        </ul>`}
    </section>`;
}

/** Both customers side by side: which one stays, whose value wins for each field, and the result before anything changes. */
function MergeCompare({ pair, onDone, onCancel }) {
  const customers = pair.customers;
  const older = [...customers].sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  const [survivorId, setSurvivorId] = useState(older.id);
  const [choices, setChoices] = useState({});
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);

  const body = { survivorId, mergedIds: customers.filter(c => c.id !== survivorId).map(c => c.id), fields: choices };
  const bodyText = JSON.stringify(body);
  // One id for this merge as chosen: pressing Merge again after no answer (or the server's failure) gets the merge the
  // first press made; after a refusal, the next press is a new attempt.
  const [mergeId, setMergeId] = useState(newMergeId);
  useEffect(() => setMergeId(newMergeId()), [bodyText]);
  useEffect(() => {
    let cancelled = false;
    api('/api/merges/preview', { method: 'POST', body }).then(
      ({ data }) => { if (!cancelled) { setPreview(data); setProblem(null); } },
      e => !cancelled && setProblem(e));
    return () => { cancelled = true; };
  }, [bodyText]);

  async function merge() {
    setBusy(true);
    try {
      await api('/api/merges', { method: 'POST', body: { ...body, id: mergeId } });
      onDone();
    } catch (e) {
      if (e.status >= 400 && e.status < 500) setMergeId(newMergeId());
      setProblem(e);
      setBusy(false);
    }
  }

  const chosen = field => choices[field] ?? survivorId;
  return html`
    <div class="card merge-compare" role="region" aria-labelledby="merge-compare-title">
      <h2 id="merge-compare-title">Merge ${customers.map(c => c.displayName).join(' and ')}</h2>
      <table class="grid">
        <thead><tr><th scope="col">Field</th>
          ${customers.map(c => html`<th scope="col">
            <label><input type="radio" name="survivor" checked=${survivorId === c.id} onChange=${() => { setSurvivorId(c.id); setChoices({}); }} />
              Keep ${c.displayName}</label>
            <div class="meta">created ${formatDateTime(c.createdAt)} · ${interactionCount(c.activity.totalInteractions)}</div></th>`)}
          <th scope="col">Result</th></tr></thead>
        <tbody>
          ${fields.map(([field, label, read]) => {
            const values = customers.map(read);
            const differ = new Set(values.map(v => v ?? '')).size > 1;
            return html`<tr class=${differ ? 'differs' : ''}>
              <th scope="row">${label}</th>
              ${customers.map((c, i) => html`<td>${differ && values[i] && !unioned.has(field)
                ? html`<label><input type="radio" name="field-${field}" checked=${chosen(field) === c.id}
                    onChange=${() => setChoices(cs => ({ ...cs, [field]: c.id }))} aria-label="${label}: ${values[i]}" /> ${values[i]}</label>`
                : values[i] ?? '—'}</td>`)}
              <td class="result">${preview ? read(preview.survivor) ?? '—' : '…'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
      <p role="status">${preview ? `${interactionCount(preview.interactions)} will be on one timeline. A merge can be undone.` : ''}</p>
      ${problem && html`<p class="error" role="alert">${problem.message} ${Object.values(problem.errors).flat().join(' ')}</p>`}
      <div class="row">
        <button type="button" onClick=${merge} disabled=${busy || !preview}>Merge</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </div>`;
}
