import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { session } from './session.js';
import { hub } from './hub.js';
import { SignIn } from './signin.js';
import { CustomerSearch } from './customers.js';
import { CustomerPage } from './customer.js';
import { Users } from './users.js';
import { Fields } from './fields.js';
import { Dashboard } from './dashboard.js';
import { Sources, SourceDebugger } from './sources.js';
import { Imports } from './imports.js';
import { Segments, SegmentMembers } from './segments.js';
import { Duplicates } from './duplicates.js';

function useSessionUser() {
  const [user, setUser] = useState(session.user);
  useEffect(() => session.subscribe(() => setUser(session.user)), []);
  return user;
}

function useHashRoute() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

function ConnectionState() {
  const [state, setState] = useState(hub.state);
  useEffect(() => hub.onState(setState), []);
  const labels = { connected: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', disconnected: 'Offline' };
  return html`<span class="connection ${state}" role="status" aria-live="polite" title="Live updates: ${state}">
    <span class="dot" aria-hidden="true"></span>${labels[state]}</span>`;
}

function Page({ route }) {
  const customer = route.match(/^\/customers\/([^/]+)$/);
  if (customer) return html`<${CustomerPage} key=${customer[1]} id=${decodeURIComponent(customer[1])} />`;
  if (route === '/segments') return html`<${Segments} />`;
  if (route === '/duplicates') return html`<${Duplicates} />`;
  const segment = route.match(/^\/segments\/([^/]+)$/);
  if (segment) return html`<${SegmentMembers} key=${segment[1]} id=${decodeURIComponent(segment[1])} />`;
  if (route === '/users' && session.hasRole('admin')) return html`<${Users} />`;
  if (route === '/fields' && session.hasRole('admin')) return html`<${Fields} />`;
  if (session.hasRole('supervisor', 'admin')) {
    if (route === '/dashboard') return html`<${Dashboard} />`;
    if (route === '/sources') return html`<${Sources} />`;
    if (route === '/imports') return html`<${Imports} />`;
    const source = route.match(/^\/sources\/([^/]+)$/);
    if (source) return html`<${SourceDebugger} key=${source[1]} id=${decodeURIComponent(source[1])} />`;
  }
  return html`<${CustomerSearch} />`;
}

function App() {
  const user = useSessionUser();
  const route = useHashRoute();

  useEffect(() => {
    if (!user) return undefined;
    hub.start();
    return () => hub.stop();
  }, [user]);

  if (!user) return html`<${SignIn} />`;

  const link = (href, label) => html`<a href=${href} aria-current=${route === href.slice(1) ? 'page' : undefined}>${label}</a>`;
  return html`
    <header class="top">
      <a class="brand" href="#/">Crm.Orleans</a>
      <nav aria-label="Main">
        ${link('#/', 'Customers')}
        ${link('#/segments', 'Segments')}
        ${link('#/duplicates', 'Duplicates')}
        ${session.hasRole('supervisor', 'admin') && link('#/dashboard', 'Dashboard')}
        ${session.hasRole('supervisor', 'admin') && link('#/sources', 'Sources')}
        ${session.hasRole('supervisor', 'admin') && link('#/imports', 'Import')}
        ${session.hasRole('admin') && link('#/users', 'Users')}
        ${session.hasRole('admin') && link('#/fields', 'Fields')}
      </nav>
      <${ConnectionState} />
      <span class="who">${user.displayName} · ${user.tenant} · ${user.roles.join(', ')}</span>
      <button type="button" class="secondary" onClick=${() => session.end()}>Sign out</button>
    </header>
    <main id="main"><${Page} route=${route} /></main>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
