import { session } from './session.js';

// One SignalR connection per tab. Pages watch customers through it; after a reconnect every watch is renewed
// from the last change number it received, so the server sends what was missed, then live changes.
const stateListeners = new Set();
const watches = new Map();
const dashboardWatchers = new Set();
const importWatchers = new Set();
const segmentWatchers = new Set();
const duplicateWatchers = new Set();
let connection = null;
let state = 'disconnected';

function setState(next) {
  state = next;
  stateListeners.forEach(listener => listener(state));
}

function customerIdOf(message) {
  return message.customerId ?? message.id;
}

function receive(name, message) {
  const watch = watches.get(customerIdOf(message));
  if (!watch) return;
  if (name === 'viewersChanged') {
    watch.onViewers(message.viewers);
    return;
  }
  // The server never repeats a change; this guards the page against showing one twice all the same.
  if (message.sequence <= watch.lastSeen) return;
  watch.lastSeen = message.sequence;
  watch.onChange(name, message);
}

async function renew(customerId, watch) {
  await connection.invoke('WatchCustomer', customerId, watch.lastSeen);
}

// KPIs are a whole picture each time, so renewing a dashboard watch needs no catch-up: the answer is the picture now.
async function renewDashboard() {
  const kpis = await connection.invoke('WatchDashboard');
  dashboardWatchers.forEach(watcher => watcher(kpis));
}

// Counts are a whole picture too: renewing answers the counts now.
async function renewSegments() {
  const counts = await connection.invoke('WatchSegments');
  segmentWatchers.forEach(watcher => watcher(counts));
}

async function renewDuplicates() {
  const scan = await connection.invoke('WatchDuplicates');
  duplicateWatchers.forEach(watcher => watcher(scan));
}

async function renewAll() {
  for (const [customerId, watch] of watches) await renew(customerId, watch);
  if (dashboardWatchers.size) await renewDashboard();
  if (segmentWatchers.size) await renewSegments();
  if (importWatchers.size) await connection.invoke('WatchImports');
  if (duplicateWatchers.size) await renewDuplicates();
}

export const hub = {
  get state() { return state; },

  onState(listener) {
    stateListeners.add(listener);
    return () => stateListeners.delete(listener);
  },

  async start() {
    if (connection) return;
    connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/crm', { accessTokenFactory: () => session.token })
      // Keep trying for as long as the page is open: 0 s, 1 s, 2 s, 4 s, then every 5 s.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: ctx => [0, 1000, 2000, 4000][ctx.previousRetryCount] ?? 5000 })
      // A lost connection is expected now and then and shows in the page; it is not an error of the page.
      .configureLogging({ log: (level, message) => level >= signalR.LogLevel.Warning && console.warn(`[live updates] ${message}`) })
      .build();
    for (const name of ['interactionAdded', 'interactionsRemoved', 'customerChanged', 'customerDeleted', 'customerMerged', 'viewersChanged']) {
      connection.on(name, message => receive(name, message));
    }
    connection.on('kpisChanged', kpis => dashboardWatchers.forEach(watcher => watcher(kpis)));
    connection.on('importProgress', job => importWatchers.forEach(watcher => watcher(job)));
    connection.on('segmentCountsChanged', counts => segmentWatchers.forEach(watcher => watcher(counts)));
    connection.on('duplicatesChanged', scan => duplicateWatchers.forEach(watcher => watcher(scan)));
    connection.onreconnecting(() => setState('reconnecting'));
    connection.onreconnected(async () => {
      setState('connected');
      await renewAll();
    });
    connection.onclose(() => setState('disconnected'));
    setState('connecting');
    try {
      await connection.start();
      setState('connected');
      await renewAll();
    } catch {
      setState('disconnected');
    }
  },

  async stop() {
    const closing = connection;
    connection = null;
    watches.clear();
    dashboardWatchers.clear();
    importWatchers.clear();
    segmentWatchers.clear();
    duplicateWatchers.clear();
    await closing?.stop();
  },

  /**
   * Watches a customer from a change number on (the "sequence" of the customer as it was loaded).
   * Returns the function that stops watching.
   */
  watch(customerId, fromSequence, { onChange, onViewers }) {
    const watch = { lastSeen: fromSequence, onChange, onViewers };
    watches.set(customerId, watch);
    if (state === 'connected') renew(customerId, watch).catch(() => {});
    return () => {
      if (watches.get(customerId) !== watch) return;
      watches.delete(customerId);
      if (state === 'connected') connection.invoke('UnwatchCustomer', customerId).catch(() => {});
    };
  },

  /** Receives the tenant's live KPIs now and whenever they move. Returns the function that stops watching. */
  watchDashboard(onKpis) {
    dashboardWatchers.add(onKpis);
    if (state === 'connected') renewDashboard().catch(() => {});
    return () => {
      dashboardWatchers.delete(onKpis);
      if (!dashboardWatchers.size && state === 'connected') connection.invoke('UnwatchDashboard').catch(() => {});
    };
  },

  /** Receives the member counts of the tenant's segments now and whenever they move. Returns the function that stops watching. */
  watchSegments(onCounts) {
    segmentWatchers.add(onCounts);
    if (state === 'connected') renewSegments().catch(() => {});
    return () => {
      segmentWatchers.delete(onCounts);
      if (!segmentWatchers.size && state === 'connected') connection.invoke('UnwatchSegments').catch(() => {});
    };
  },

  /** Receives the status of the tenant's duplicate detection now and whenever it moves on. Returns the function that stops watching. */
  watchDuplicates(onScan) {
    duplicateWatchers.add(onScan);
    if (state === 'connected') renewDuplicates().catch(() => {});
    return () => {
      duplicateWatchers.delete(onScan);
      if (!duplicateWatchers.size && state === 'connected') connection.invoke('UnwatchDuplicates').catch(() => {});
    };
  },

  /**
   * Receives each change of the tenant's imports (a whole picture of one import each time, as GET /api/imports/{id}
   * answers), so a reconnect needs no catch-up beyond reading the import once. Returns the function that stops watching.
   */
  watchImports(onProgress) {
    importWatchers.add(onProgress);
    if (state === 'connected' && importWatchers.size === 1) connection.invoke('WatchImports').catch(() => {});
    return () => {
      importWatchers.delete(onProgress);
      if (!importWatchers.size && state === 'connected') connection.invoke('UnwatchImports').catch(() => {});
    };
  },
};
