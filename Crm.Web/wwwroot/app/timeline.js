import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { channelLabels, formatDateTime, formatDuration } from './format.js';

const rowHeight = 88;
const overscan = 6;
const pageSize = 100;

/** Newest first by when it happened, then by sequence: the order of the API's timeline. */
const newerFirst = (a, b) => (a.occurredAt === b.occurredAt ? b.sequence - a.sequence : Date.parse(b.occurredAt) - Date.parse(a.occurredAt));

/**
 * A customer's timeline. Only the rows in view (and a few around them) are in the page, whatever the length of the
 * history; older pages load as the list is scrolled down; new interactions take their place and glow for a moment.
 */
export function Timeline({ customerId, added }) {
  const [channel, setChannel] = useState('');
  const [items, setItems] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const [fresh, setFresh] = useState(() => new Set());
  const [announcement, setAnnouncement] = useState('');
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const list = useRef(null);
  // arrivedWhileLoading: live interactions pushed while a fresh first page is on its way; the page may have been read
  // before they were written, so they are merged into it rather than replaced by it.
  const state = useRef({ items: [], next: null, loading: false, generation: 0, arrivedWhileLoading: [] });

  const load = useCallback(async reset => {
    const s = state.current;
    if (s.loading || (!reset && !s.next)) return;
    const generation = reset ? ++s.generation : s.generation;
    if (reset) s.arrivedWhileLoading = [];
    s.loading = true;
    setLoading(true);
    try {
      const query = new URLSearchParams({ limit: pageSize });
      if (channel) query.set('channel', channel);
      if (!reset) query.set('cursor', s.next);
      const { data } = await api(`/api/customers/${encodeURIComponent(customerId)}/timeline?${query}`);
      if (generation !== s.generation) return;
      // A fresh page keeps only what arrived while it loaded; a next page adds to everything shown.
      const kept = reset ? s.arrivedWhileLoading : s.items;
      const known = new Set(kept.map(i => i.id));
      s.items = [...kept, ...data.items.filter(i => !known.has(i.id))].sort(newerFirst);
      s.next = data.nextCursor ?? null;
      setItems(s.items);
      setNext(s.next);
      setError(null);
    } catch (e) {
      setError(e.message);
    } finally {
      if (generation === s.generation) {
        s.loading = false;
        setLoading(false);
      }
    }
  }, [customerId, channel]);

  useEffect(() => {
    state.current.loading = false;
    list.current && (list.current.scrollTop = 0);
    load(true);
  }, [load]);

  useEffect(() => {
    const onAdded = event => {
      const interaction = event.detail;
      const s = state.current;
      if ((channel && interaction.channel !== channel) || s.items.some(i => i.id === interaction.id)) return;
      // Kept for a fresh page on its way whatever its place here: that page may have been read before it was written.
      if (s.loading) s.arrivedWhileLoading.push(interaction);
      let index = s.items.findIndex(i => newerFirst(interaction, i) < 0);
      if (index < 0) {
        if (s.next) return; // Older than everything loaded: it comes with the next page.
        index = s.items.length;
      }
      s.items = [...s.items.slice(0, index), interaction, ...s.items.slice(index)];
      setItems(s.items);
      // Keep what the reader is looking at in place when something lands above it.
      const element = list.current;
      if (element && element.scrollTop > 0 && index * rowHeight < element.scrollTop) element.scrollTop += rowHeight;
      setFresh(f => new Set(f).add(interaction.id));
      setTimeout(() => setFresh(f => { const copy = new Set(f); copy.delete(interaction.id); return copy; }), 2500);
      setAnnouncement(`New ${channelLabels[interaction.channel] ?? interaction.channel}: ${interaction.subject ?? ''}`);
    };
    // An undone merge gave interactions back to the customer they came from.
    const onRemoved = event => {
      const gone = new Set(event.detail.interactionIds);
      const s = state.current;
      s.items = s.items.filter(i => !gone.has(i.id));
      s.arrivedWhileLoading = s.arrivedWhileLoading.filter(i => !gone.has(i.id));
      setItems(s.items);
      setAnnouncement(`${gone.size} ${gone.size === 1 ? 'interaction' : 'interactions'} went back to the customer they came from.`);
    };
    added.addEventListener('added', onAdded);
    added.addEventListener('removed', onRemoved);
    return () => {
      added.removeEventListener('added', onAdded);
      added.removeEventListener('removed', onRemoved);
    };
  }, [added, channel]);

  useEffect(() => {
    const element = list.current;
    if (!element) return undefined;
    const measure = () => setViewport({ top: element.scrollTop, height: element.clientHeight });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  function onScroll(e) {
    const { scrollTop, clientHeight } = e.currentTarget;
    setViewport({ top: scrollTop, height: clientHeight });
    if (scrollTop + clientHeight > items.length * rowHeight - 10 * rowHeight) load(false);
  }

  const first = Math.max(0, Math.floor(viewport.top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((viewport.top + viewport.height) / rowHeight) + overscan);
  const shown = items.slice(first, last);

  return html`
    <div class="timeline">
      <div class="timeline-bar">
        <h2 id="timeline-title">Timeline</h2>
        <label for="timeline-channel">Channel</label>
        <select id="timeline-channel" value=${channel} onChange=${e => setChannel(e.target.value)}>
          <option value="">All</option>
          ${Object.entries(channelLabels).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
      </div>
      <p class="visually-hidden" aria-live="polite">${announcement}</p>
      ${error && html`<p class="error" role="alert">Could not load the timeline: ${error}</p>`}
      ${!loading && !error && items.length === 0 && html`<p class="empty">${channel ? 'Nothing on this channel yet.' : 'No interactions yet. Log the first one above.'}</p>`}
      <div class="timeline-list" ref=${list} onScroll=${onScroll} role="feed" aria-labelledby="timeline-title" aria-busy=${loading}>
        <div style=${`height:${(items.length + (next ? 1 : 0)) * rowHeight}px;position:relative`}>
          ${shown.map((interaction, i) => html`
            <${Entry} key=${interaction.id} interaction=${interaction} fresh=${fresh.has(interaction.id)}
              top=${(first + i) * rowHeight} position=${first + i + 1} size=${next ? -1 : items.length} />`)}
          ${next && html`<div class="entry loading-row" style=${`top:${items.length * rowHeight}px`}>Loading older interactions…</div>`}
        </div>
      </div>
    </div>`;
}

function Entry({ interaction: i, fresh, top, position, size }) {
  const details = [
    i.direction,
    i.agent?.name,
    formatDuration(i.durationSeconds),
    i.outcome,
  ].filter(Boolean).join(' · ');
  return html`
    <article class="entry ${i.channel} ${fresh ? 'fresh' : ''}" style=${`top:${top}px`} aria-posinset=${position} aria-setsize=${size}
      aria-label="${channelLabels[i.channel]} ${i.subject ?? ''}" data-sequence=${i.sequence}>
      <span class="channel">${channelLabels[i.channel] ?? i.channel}</span>
      <div class="what">
        <strong>${i.subject ?? '(no subject)'}</strong>
        <p>${i.body ?? ''}</p>
        <small>${details}</small>
      </div>
      <time datetime=${i.occurredAt}>${formatDateTime(i.occurredAt)}</time>
    </article>`;
}
