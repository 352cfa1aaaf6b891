import { useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, ApiError } from './api.js';
import { fieldProblem } from './field-error.js';
import { channelLabels } from './format.js';

const quickChannels = ['call', 'email', 'meeting', 'note'];

/**
 * Log a call, email, meeting or note in a few keystrokes: Alt+C, Alt+E, Alt+M or Alt+N picks the channel and puts
 * the cursor in the subject; Ctrl+Enter saves. The new interaction appears on the timeline through the hub.
 */
export function LogInteraction({ customerId }) {
  const empty = { channel: 'call', direction: 'inbound', subject: '', body: '', minutes: '', outcome: '' };
  const [form, setForm] = useState(empty);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const subject = useRef(null);
  const set = (field, value) => setForm(f => ({ ...f, [field]: value }));

  function pick(channel) {
    setForm(f => ({ ...f, channel, direction: channel === 'note' ? 'internal' : f.direction === 'internal' ? 'inbound' : f.direction }));
    subject.current?.focus();
  }

  async function save(event) {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const minutes = form.minutes.trim() === '' ? null : Number(form.minutes);
      await api(`/api/customers/${encodeURIComponent(customerId)}/interactions`, {
        method: 'POST',
        body: {
          channel: form.channel,
          direction: form.direction,
          subject: form.subject || null,
          body: form.body || null,
          durationSeconds: minutes == null || Number.isNaN(minutes) ? null : Math.round(minutes * 60),
          outcome: form.outcome || null,
        },
      });
      setForm({ ...empty, channel: form.channel, direction: form.direction });
      subject.current?.focus();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function shortcuts(e) {
    const byKey = { c: 'call', e: 'email', m: 'meeting', n: 'note' };
    if (e.altKey && byKey[e.key.toLowerCase()]) {
      e.preventDefault();
      pick(byKey[e.key.toLowerCase()]);
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      save(e);
    }
  }

  const [subjectProblem, bodyProblem, minutesProblem, outcomeProblem] =
    [['subject', 'log-subject'], ['body', 'log-body'], ['durationSeconds', 'log-minutes'], ['outcome', 'log-outcome']].map(([f, id]) => fieldProblem(error, f, id));
  return html`
    <form class="log" onSubmit=${save} onKeyDown=${shortcuts} aria-label="Log an interaction">
      <div class="channels" role="radiogroup" aria-label="Channel">
        ${quickChannels.map(c => html`
          <button type="button" role="radio" aria-checked=${form.channel === c} class=${form.channel === c ? 'chosen' : 'secondary'}
            onClick=${() => pick(c)} title="Alt+${c[0].toUpperCase()}">${channelLabels[c]}</button>`)}
        <label for="log-channel" class="visually-hidden">Other channel</label>
        <select id="log-channel" value=${form.channel} onChange=${e => pick(e.target.value)}>
          ${Object.entries(channelLabels).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
        </select>
        <label for="log-direction" class="visually-hidden">Direction</label>
        <select id="log-direction" value=${form.direction} onChange=${e => set('direction', e.target.value)}>
          <option value="inbound">Inbound</option><option value="outbound">Outbound</option><option value="internal">Internal</option>
        </select>
      </div>
      <label for="log-subject">Subject</label>
      <input id="log-subject" ref=${subject} value=${form.subject} onInput=${e => set('subject', e.target.value)} maxlength="500" ...${subjectProblem.attributes} />
      ${subjectProblem.message}
      <label for="log-body">Notes</label>
      <textarea id="log-body" rows="2" value=${form.body} onInput=${e => set('body', e.target.value)} ...${bodyProblem.attributes}></textarea>
      ${bodyProblem.message}
      <div class="row">
        <span>
          <label for="log-minutes">Minutes</label>
          <input id="log-minutes" inputmode="decimal" value=${form.minutes} onInput=${e => set('minutes', e.target.value)} ...${minutesProblem.attributes} />
          ${minutesProblem.message}
        </span>
        <span>
          <label for="log-outcome">Outcome</label>
          <input id="log-outcome" list="outcomes" value=${form.outcome} onInput=${e => set('outcome', e.target.value)} ...${outcomeProblem.attributes} />
          <datalist id="outcomes"><option value="resolved" /><option value="follow-up" /><option value="no answer" /><option value="escalated" /></datalist>
          ${outcomeProblem.message}
        </span>
        <button type="submit" disabled=${busy} title="Ctrl+Enter">${busy ? 'Saving…' : `Log ${channelLabels[form.channel].toLowerCase()}`}</button>
      </div>
      ${error && !(error instanceof ApiError && Object.keys(error.errors).length) && html`<p class="error" role="alert">${error.message}</p>`}
    </form>`;
}
