import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { hub } from './hub.js';
import { session } from './session.js';
import { channelLabels } from './format.js';
import { Chart } from './charts.js';
import { DataQualityPanel } from './quality.js';

const number = new Intl.NumberFormat();
const minute = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

/** The tenant's live KPIs: REST for the first picture, then every change the hub pushes. */
function useLiveKpis() {
  const [kpis, setKpis] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let latest = null;
    const take = next => {
      if (latest && new Date(next.at) < new Date(latest.at)) return;
      latest = next;
      setKpis(next);
    };
    api('/api/analytics/live').then(({ data }) => take(data), setError);
    return hub.watchDashboard(take);
  }, []);
  return { kpis, error };
}

function Kpi({ label, value, hint }) {
  return html`<div class="kpi"><dt>${label}</dt><dd>${number.format(value)}${hint && html`<small>${hint}</small>`}</dd></div>`;
}

/** Counts as a table, with a bar in each row: readable without the charts, and by screen readers. */
function CountTable({ caption, rows, label = name => name, empty }) {
  const max = Math.max(1, ...rows.map(r => r.count));
  if (!rows.length) return html`<p class="empty">${empty}</p>`;
  return html`
    <table class="counts">
      <caption class="visually-hidden">${caption}</caption>
      <thead><tr><th scope="col">${caption}</th><th scope="col" class="number">Count</th></tr></thead>
      <tbody>${rows.map(r => html`
        <tr>
          <th scope="row">${label(r.name)}<span class="bar" aria-hidden="true" style="width: ${(100 * r.count) / max}%"></span></th>
          <td class="number">${number.format(r.count)}</td>
        </tr>`)}
      </tbody>
    </table>`;
}

/** Supervisors watch the tenant move: events per minute, active customers, interactions by channel and agent. */
export function Dashboard() {
  const { kpis, error } = useLiveKpis();

  if (error) return html`<p class="error" role="alert">The dashboard could not load: ${error.message}</p>`;
  if (!kpis) return html`<p class="loading" role="status">Loading live KPIs…</p>`;

  const interactionsToday = kpis.interactionsByChannel.reduce((sum, c) => sum + c.count, 0);
  const perMinute = kpis.perMinute.slice(-30);
  const channelName = name => channelLabels[name] ?? name;
  return html`
    <section class="dashboard" aria-labelledby="dashboard-title">
      <header class="dashboard-header">
        <h1 id="dashboard-title">Live activity · ${session.user.tenant}</h1>
        <p class="updated" aria-live="off">Updated ${time.format(new Date(kpis.at))}</p>
      </header>
      <dl class="kpis" aria-label="Key figures">
        <${Kpi} label="Events, last minute" value=${kpis.lastMinute} />
        <${Kpi} label="Active customers" value=${kpis.activeCustomers5Minutes} hint="last 5 minutes" />
        <${Kpi} label="Active customers" value=${kpis.activeCustomers1Hour} hint="last hour" />
        <${Kpi} label="Active customers" value=${kpis.activeCustomers24Hours} hint="last 24 hours" />
        <${Kpi} label="New customers today" value=${kpis.newCustomersToday} />
        <${Kpi} label="Interactions today" value=${interactionsToday} />
        <${Kpi} label="Events today" value=${kpis.totalToday} />
      </dl>
      <div class="panels">
        <div class="panel wide">
          <h2>Events per minute</h2>
          <${Chart} type="line" label="Events per minute over the last 30 minutes"
            labels=${perMinute.map(m => minute.format(new Date(m.minute)))} values=${perMinute.map(m => m.count)} />
        </div>
        <div class="panel">
          <h2>Interactions today by channel</h2>
          <${Chart} type="bar" label="Interactions today by channel"
            labels=${kpis.interactionsByChannel.map(c => channelName(c.name))} values=${kpis.interactionsByChannel.map(c => c.count)} />
          <${CountTable} caption="Channel" rows=${kpis.interactionsByChannel} label=${channelName} empty="No interactions yet today." />
        </div>
        <div class="panel">
          <h2>Interactions today by agent</h2>
          <${CountTable} caption="Agent" rows=${kpis.interactionsByAgent} empty="No agent has logged an interaction today." />
        </div>
        <div class="panel">
          <h2>Last minute by type</h2>
          <${CountTable} caption="Type" rows=${kpis.lastMinuteByType} empty="Nothing in the last minute." />
        </div>
        <div class="panel">
          <h2>Top events, last hour</h2>
          <${CountTable} caption="Event" rows=${kpis.topEvents} empty="No tracked events in the last hour." />
        </div>
        <${DataQualityPanel} />
      </div>
    </section>`;
}
