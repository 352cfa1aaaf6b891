import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, download } from './api.js';
import { session } from './session.js';
import { formatAgo } from './format.js';

const orders = [
  ['name', 'Name'],
  ['-lastContactAt', 'Last contacted (most recent first)'],
  ['-totalInteractions', 'Most interactions'],
  ['-createdAt', 'Newest'],
];

/** What the list is sorted by, for a row, when that is not its name. */
function sortedBy(sort, customer) {
  switch (sort) {
    case '-lastContactAt': return customer.lastContactAt ? `contacted ${formatAgo(customer.lastContactAt)}` : 'never contacted';
    case '-totalInteractions': return `${customer.totalInteractions} interaction${customer.totalInteractions === 1 ? '' : 's'}`;
    case '-createdAt': return `added ${formatAgo(customer.createdAt)}`;
    default: return null;
  }
}

/** Search as you type; ↑ and ↓ move through the results, Enter opens one, "/" comes back to the search box. */
export function CustomerSearch() {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState('name');
  const listing = `/api/customers?limit=50&sort=${encodeURIComponent(sort)}${query ? `&query=${encodeURIComponent(query)}` : ''}`;
  const [result, setResult] = useState({ items: [], nextCursor: null, loading: true, error: null });
  const [active, setActive] = useState(0);
  const input = useRef(null);

  useEffect(() => {
    const controller = { cancelled: false };
    const timer = setTimeout(async () => {
      try {
        const { data } = await api(listing);
        if (!controller.cancelled) setResult({ ...data, listing, loading: false, error: null });
      } catch (e) {
        if (!controller.cancelled) setResult({ items: [], nextCursor: null, loading: false, error: e.message });
      }
      setActive(0);
    }, 150);
    return () => {
      controller.cancelled = true;
      clearTimeout(timer);
    };
  }, [listing]);

  // A page of another search or order is not this list's: "More" waits for the new first page.
  const current = result.listing === listing;

  useEffect(() => {
    const slash = e => {
      if (e.key === '/' && document.activeElement?.tagName !== 'INPUT' && document.activeElement?.tagName !== 'TEXTAREA') {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener('keydown', slash);
    return () => removeEventListener('keydown', slash);
  }, []);

  async function more() {
    const from = result.listing;
    try {
      const { data } = await api(`${from}&cursor=${encodeURIComponent(result.nextCursor)}`);
      setResult(r => r.listing !== from ? r : ({
        ...r,
        items: [...r.items, ...data.items.filter(c => !r.items.some(i => i.id === c.id))],
        nextCursor: data.nextCursor,
      }));
    } catch (e) {
      setResult(r => r.listing !== from ? r : ({ ...r, error: e.message }));
    }
  }

  function exportList() {
    const at = new Date().toISOString().slice(0, 10);
    download(`/api/exports/customers?format=csv${query ? `&query=${encodeURIComponent(query)}` : ''}`, `customers-${at}.csv`)
      .catch(e => setResult(r => ({ ...r, error: e.message })));
  }

  function keys(e) {
    if (e.key === 'ArrowDown') setActive(i => Math.min(i + 1, result.items.length - 1));
    else if (e.key === 'ArrowUp') setActive(i => Math.max(i - 1, 0));
    else if (e.key === 'Enter' && result.items[active]) location.hash = `#/customers/${encodeURIComponent(result.items[active].id)}`;
    else return;
    e.preventDefault();
  }

  return html`
    <section class="search" aria-labelledby="search-title">
      <h1 id="search-title">Customers</h1>
      <label for="customer-search" class="visually-hidden">Search customers</label>
      <input id="customer-search" ref=${input} type="search" placeholder="Search by name, email, phone or company  ( / )"
        autofocus autocomplete="off" value=${query} onInput=${e => setQuery(e.target.value)} onKeyDown=${keys}
        aria-controls="customer-results" aria-activedescendant=${result.items[active] ? `customer-${active}` : undefined} />
      <label class="sort" for="customer-sort">Sort by</label>
      <select id="customer-sort" class="sort" value=${sort} onChange=${e => setSort(e.target.value)} aria-controls="customer-results">
        ${orders.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
      </select>
      ${result.error && html`<p class="error" role="alert">Could not search: ${result.error}</p>`}
      ${!result.loading && !result.error && result.items.length === 0 && html`<p class="empty">${query ? `No customer matches “${query}”.` : 'No customers yet.'}</p>`}
      <ul id="customer-results" class="results" role="listbox" aria-label="Customers" aria-busy=${result.loading}>
        ${result.items.map((c, i) => html`
          <li id="customer-${i}" role="option" aria-selected=${i === active} class=${i === active ? 'active' : ''}>
            <a href="#/customers/${encodeURIComponent(c.id)}" tabindex="-1">
              <strong>${c.displayName}</strong>
              <span>${[c.primaryEmail, c.primaryPhone, c.company, sortedBy(sort, c)].filter(Boolean).join(' · ')}</span>
              <span class="badge ${c.lifecycle}">${c.lifecycle}</span>
            </a>
          </li>`)}
      </ul>
      <div class="actions">
        ${current && result.nextCursor && html`<button type="button" class="secondary" onClick=${more}>More customers</button>`}
        ${session.hasRole('supervisor', 'admin') && result.items.length > 0 && html`
          <button type="button" class="secondary" onClick=${exportList}>Export ${query ? 'these customers' : 'all customers'} (CSV)</button>`}
      </div>
    </section>`;
}
