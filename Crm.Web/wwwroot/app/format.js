const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export const formatDateTime = value => (value ? dateTime.format(new Date(value)) : '—');

export function formatAgo(value) {
  if (!value) return 'never';
  const seconds = (new Date(value) - Date.now()) / 1000;
  const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

export function formatDuration(seconds) {
  if (seconds == null) return '';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s ? `${s} s` : ''}`.trim() : `${s} s`;
}

export const channelLabels = {
  call: 'Call', email: 'Email', chat: 'Chat', sms: 'SMS', meeting: 'Meeting', note: 'Note', web: 'Web', app: 'App', order: 'Order', ticket: 'Ticket',
};
