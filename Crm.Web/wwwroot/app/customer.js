import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { hub } from './hub.js';
import { session } from './session.js';
import { ProfileCard, ProfileEditor } from './profile.js';
import { LogInteraction } from './log-interaction.js';
import { Timeline } from './timeline.js';

/**
 * One customer: profile, who else is looking, logging, and the live timeline. The customer is loaded first;
 * watching starts from its sequence, so every change after that load arrives, once.
 */
const ProfileRefreshDelay = 300;

/** The customer whose page led here because it was merged into this one, shown once on arrival. */
let mergedAway = null;

function followMerge(from, survivorId) {
  mergedAway = { from, survivorId };
  location.replace(`#/customers/${encodeURIComponent(survivorId)}`);
}

export function CustomerPage({ id }) {
  const [customer, setCustomer] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [edit, setEdit] = useState(0);
  const [viewers, setViewers] = useState([]);
  const [deleted, setDeleted] = useState(false);
  const interactions = useMemo(() => new EventTarget(), [id]);
  const [arrivedFrom] = useState(() => {
    const from = mergedAway?.survivorId === id ? mergedAway.from : null;
    mergedAway = null;
    return from;
  });

  useEffect(() => {
    let stopWatching = () => {};
    let cancelled = false;
    // Counters and last contact move with every interaction: read the profile again shortly after one arrives (at
    // most every ProfileRefreshDelay however fast they come), keeping whichever view is newer.
    let refresh = null;
    const refreshSoon = () => {
      refresh ??= setTimeout(() => {
        refresh = null;
        api(`/api/customers/${encodeURIComponent(id)}`).then(({ data }) => {
          if (!cancelled) setCustomer(c => (!c || data.sequence >= c.sequence ? data : c));
        }, () => {});
      }, ProfileRefreshDelay);
    };
    api(`/api/customers/${encodeURIComponent(id)}`).then(({ data }) => {
      if (cancelled) return;
      // A merged-away id answers with its survivor (the API redirects): the page becomes the survivor's.
      if (data.id !== id) {
        followMerge(id, data.id);
        return;
      }
      setCustomer(data);
      stopWatching = hub.watch(id, data.sequence, {
        onChange(name, message) {
          if (name === 'interactionAdded') {
            interactions.dispatchEvent(new CustomEvent('added', { detail: message }));
            refreshSoon();
          }
          else if (name === 'interactionsRemoved') {
            interactions.dispatchEvent(new CustomEvent('removed', { detail: message }));
            refreshSoon();
          }
          else if (name === 'customerMerged') followMerge(id, message.survivorId);
          else if (name === 'customerChanged') setCustomer(message);
          else if (name === 'customerDeleted') setDeleted(true);
        },
        onViewers: setViewers,
      });
    }, e => !cancelled && setError(e));
    return () => {
      cancelled = true;
      clearTimeout(refresh);
      stopWatching();
    };
  }, [id]);

  if (error) {
    return html`<section class="message"><h1>${error.status === 404 ? 'Customer not found' : 'Could not load the customer'}</h1>
      <p>${error.status === 404 ? 'It does not exist, or it was deleted.' : error.message}</p><a href="#/">Back to customers</a></section>`;
  }
  if (!customer) return html`<p class="loading" role="status">Loading customer…</p>`;

  const others = viewers.filter(v => v.id !== session.user.id);
  return html`
    <div class="customer-page">
      <aside class="profile" aria-label="Profile">
        ${deleted && html`<p class="error" role="alert">This customer was deleted.</p>`}
        ${arrivedFrom && html`<p class="notice" role="status">Customer ${arrivedFrom} was merged into this one: its timeline is here.</p>`}
        ${others.length > 0 && html`<p class="viewers" aria-live="polite">Also viewing: ${others.map(v => v.name).join(', ')}</p>`}
        ${editing
          ? html`<${ProfileEditor} key=${edit} customer=${customer} onSaved=${c => { setCustomer(c); setEditing(false); }}
              onCancel=${() => setEditing(false)} onReload=${c => { setCustomer(c); setEdit(n => n + 1); }} />`
          : html`<${ProfileCard} customer=${customer} onEdit=${() => setEditing(true)} />`}
      </aside>
      <section class="activity" aria-label="Timeline">
        <${LogInteraction} customerId=${id} />
        <${Timeline} customerId=${id} added=${interactions} />
      </section>
    </div>`;
}

