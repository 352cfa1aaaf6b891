import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';

const number = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });
const ruleNames = { required: 'Missing', format: 'Invalid', allowedValues: 'Not an allowed value', freshness: 'Stale' };
const ScanPoll = 1000;

/** The tenant's data quality: score and trend, completeness per field, and each problem with customers that have it. */
export function DataQualityPanel() {
  const [quality, setQuality] = useState(null);
  const [error, setError] = useState(null);

  const load = () => api('/api/data-quality').then(({ data }) => { setQuality(data); setError(null); }, setError);
  useEffect(() => { load(); }, []);
  useEffect(() => {
    if (quality?.scanning == null) return undefined;
    const timer = setTimeout(load, ScanPoll);
    return () => clearTimeout(timer);
  }, [quality]);

  const scan = () => api('/api/data-quality/scan', { method: 'POST' }).then(load, setError);
  const latest = quality?.latest;
  return html`
    <div class="panel wide quality" aria-labelledby="quality-title">
      <div class="card-head">
        <h2 id="quality-title">Data quality</h2>
        <button type="button" class="secondary" onClick=${scan} disabled=${quality?.scanning != null}>
          ${quality?.scanning != null ? `Scanning… ${number.format(quality.scanning)} customers` : 'Scan now'}</button>
      </div>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${quality && !latest && html`<p class="empty">No scan yet: scan to see how complete and valid your customers' records are.</p>`}
      ${latest && html`
        <p>Score <strong>${latest.score}</strong> of 100 over ${number.format(latest.customers)} customers
          ${quality.trend.length > 1 && html` (was ${quality.trend[quality.trend.length - 2].score})`}, scanned ${new Date(latest.at).toLocaleString()}.</p>
        <table class="counts">
          <caption>Completeness</caption>
          <thead><tr><th scope="col">Field</th><th scope="col" class="number">Customers with it</th></tr></thead>
          <tbody>${Object.entries(latest.completeness).map(([field, share]) => html`
            <tr><th scope="row">${field}</th><td class="number">${percent.format(share)}</td></tr>`)}
          </tbody>
        </table>
        ${latest.problems.length === 0 ? html`<p class="empty">No problems found.</p>` : html`
        <table class="counts">
          <caption>Problems</caption>
          <thead><tr><th scope="col">Problem</th><th scope="col" class="number">Customers</th><th scope="col">Some of them</th></tr></thead>
          <tbody>${latest.problems.map(p => html`
            <tr>
              <th scope="row">${ruleNames[p.rule] ?? p.rule}: ${p.field}</th>
              <td class="number">${number.format(p.customers)}</td>
              <td>${p.examples.slice(0, 5).map((id, i) => html`${i > 0 && ', '}<a href="#/customers/${encodeURIComponent(id)}">${id.slice(0, 8)}</a>`)}</td>
            </tr>`)}
          </tbody>
        </table>`}`}
    </div>`;
}
