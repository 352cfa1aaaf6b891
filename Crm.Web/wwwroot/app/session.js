// Who is signed in. The token lives in sessionStorage: it ends with the tab, and other tabs sign in on their own.
const key = 'crm.session';
const listeners = new Set();
let current = load();

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(key));
    return saved && new Date(saved.expiresAt) > new Date() ? saved : null;
  } catch {
    return null;
  }
}

function set(value) {
  current = value;
  if (value) sessionStorage.setItem(key, JSON.stringify(value));
  else sessionStorage.removeItem(key);
  listeners.forEach(listener => listener(current));
}

export const session = {
  get user() { return current?.user ?? null; },
  get token() { return current?.accessToken ?? null; },
  hasRole: (...roles) => roles.some(role => current?.user.roles.includes(role)),
  start: tokenResponse => set(tokenResponse),
  end: () => set(null),
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
