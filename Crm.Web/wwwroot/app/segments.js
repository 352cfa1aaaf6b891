import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { session } from './session.js';
import { hub } from './hub.js';

/** The fields rules take and the operators each one takes, as the API documents them; custom fields join by type. */
const standardFields = [
  { name: 'tags', label: 'Tags', ops: ['contains', 'in', 'exists'] },
  { name: 'lifecycle', label: 'Lifecycle', ops: ['eq', 'ne', 'in'], choices: ['lead', 'prospect', 'customer', 'churned'] },
  { name: 'country', label: 'Country', ops: ['eq', 'ne', 'in', 'exists'] },
  { name: 'company', label: 'Company', ops: ['eq', 'ne', 'contains', 'in', 'exists'] },
  { name: 'ownerId', label: 'Owner', ops: ['eq', 'ne', 'in', 'exists'] },
  { name: 'consent.email', label: 'Email consent', ops: ['eq', 'ne', 'in'], choices: ['unknown', 'granted', 'denied'] },
  { name: 'activity.totalInteractions', label: 'Interactions', ops: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] },
  { name: 'activity.lastContactAt', label: 'Last contact', ops: ['gt', 'gte', 'lt', 'lte', 'within', 'exists'] },
  { name: 'valueSegment', label: 'Value segment', ops: ['eq', 'ne', 'in', 'exists'] },
];

const opsByType = {
  text: ['eq', 'ne', 'contains', 'in', 'exists'],
  oneOf: ['eq', 'ne', 'in', 'exists'],
  number: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'exists'],
  boolean: ['eq', 'ne', 'exists'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'within', 'exists'],
};

const opLabels = {
  eq: 'is', ne: 'is not', contains: 'contains', in: 'is one of', gt: 'is more than', gte: 'is at least',
  lt: 'is less than', lte: 'is at most', exists: 'is set', within: 'is within the last',
};

function useRuleFields() {
  const [fields, setFields] = useState(standardFields);
  useEffect(() => {
    api('/api/fields').then(({ data }) => setFields([...standardFields, ...data.items.map(f => ({
      name: `attributes.${f.name}`, label: f.label, ops: opsByType[f.type] ?? opsByType.text,
      choices: f.type === 'oneOf' ? f.options : undefined, boolean: f.type === 'boolean',
    }))]), () => {});
  }, []);
  return fields;
}

/** A condition as the form holds it, as the API takes it: values as typed (the API reads them as the field's type, or says why not). */
function toRule(condition) {
  const { op, value } = condition;
  if (op === 'exists') return { field: condition.field, op, value: value !== 'no' };
  return { field: condition.field, op, value: op === 'in' ? value.split(',').map(v => v.trim()).filter(Boolean) : value.trim() };
}

/** Whether the builder can show a rule whole: one condition, or one all/any group of conditions. Nested rules are edited through the API. */
function editable(rule) {
  const group = rule.all ?? rule.any;
  return group ? group.every(c => c.field) : Boolean(rule.field);
}

function fromRule(rule) {
  const group = rule.all ? 'all' : rule.any ? 'any' : null;
  const conditions = group ? rule[group] : [rule];
  return {
    join: group ?? 'all',
    conditions: conditions.map(c => ({
      field: c.field, op: c.op,
      value: c.op === 'exists' ? (c.value === false ? 'no' : 'yes') : Array.isArray(c.value) ? c.value.join(', ') : String(c.value),
    })),
  };
}

const blank = () => ({ field: 'tags', op: 'contains', value: '' });

/** Saved segments with their member counts; supervisors build them with a count that follows every change of the rules. */
export function Segments() {
  const [segments, setSegments] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);
  const canEdit = session.hasRole('supervisor', 'admin');

  const refresh = () => api('/api/segments').then(({ data }) => setSegments(data.items), setError);
  useEffect(() => { refresh(); }, []);
  // Counts move as customers change, pushed over the hub; a segment the page does not know yet comes with a reload.
  useEffect(() => hub.watchSegments(({ memberCounts }) => setSegments(list => {
    if (!list) return list;
    if (Object.keys(memberCounts).some(id => !list.some(s => s.id === id))) { refresh(); return list; }
    return list.map(s => (s.id in memberCounts ? { ...s, memberCount: memberCounts[s.id] } : s));
  })), []);

  async function remove(segment) {
    if (!confirm(`Delete the segment ${segment.name}? Its customers stay as they are.`)) return;
    try {
      await api(`/api/segments/${encodeURIComponent(segment.id)}`, { method: 'DELETE' });
      refresh();
    } catch (e) {
      setError(e);
    }
  }

  return html`
    <section class="segments" aria-labelledby="segments-title">
      <h1 id="segments-title">Segments</h1>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${segments === null ? html`<p class="loading" role="status">Loading segments…</p>` : segments.length === 0 ? html`<p>No segments yet.</p>` : html`
        <table>
          <thead><tr><th scope="col">Segment</th><th scope="col">Customers</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${segments.map(s => html`
            <tr>
              <td><a href="#/segments/${encodeURIComponent(s.id)}">${s.name}</a></td>
              <td class="count">${s.memberCount.toLocaleString()}</td>
              <td>${canEdit && html`
                <button type="button" class="secondary" onClick=${() => setEditing(s)} aria-label="Edit ${s.name}">Edit</button>
                <button type="button" class="secondary" onClick=${() => remove(s)} aria-label="Delete ${s.name}">Delete</button>`}
              </td>
            </tr>`)}
          </tbody>
        </table>`}
      ${canEdit && html`<${SegmentBuilder} key=${editing?.id ?? 'new'} segment=${editing}
        onSaved=${() => { setEditing(null); refresh(); }} onCancel=${() => setEditing(null)} />`}
    </section>`;
}

function SegmentBuilder({ segment, onSaved, onCancel }) {
  if (segment && !editable(segment.rules)) {
    return html`
      <div class="card segment-builder" role="note">
        <h2>Edit ${segment.name}</h2>
        <p>Its rules nest groups deeper than this builder shows; change them through the API (<code>PUT /api/segments/${segment.id}</code>) so that none is lost.</p>
        <button type="button" class="secondary" onClick=${onCancel}>Close</button>
      </div>`;
  }

  return html`<${ConditionsForm} segment=${segment} onSaved=${onSaved} onCancel=${onCancel} />`;
}

function ConditionsForm({ segment, onSaved, onCancel }) {
  const fields = useRuleFields();
  const initial = segment ? fromRule(segment.rules) : { join: 'all', conditions: [blank()] };
  const [name, setName] = useState(segment?.name ?? '');
  const [join, setJoin] = useState(initial.join);
  const [conditions, setConditions] = useState(initial.conditions.length ? initial.conditions : [blank()]);
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);

  const rules = { [join]: conditions.map(toRule) };
  const rulesText = JSON.stringify(rules);

  useEffect(() => {
    const controller = { cancelled: false };
    const timer = setTimeout(async () => {
      try {
        const { data } = await api('/api/segments/preview', { method: 'POST', body: { rules } });
        if (!controller.cancelled) { setPreview(data); setProblem(null); }
      } catch (e) {
        if (!controller.cancelled) { setPreview(null); setProblem(e); }
      }
    }, 250);
    return () => { controller.cancelled = true; clearTimeout(timer); };
  }, [rulesText]);

  const change = (i, part) => setConditions(cs => cs.map((c, j) => {
    if (j !== i) return c;
    const next = { ...c, ...part };
    const field = fields.find(f => f.name === next.field);
    if (field && !field.ops.includes(next.op)) next.op = field.ops[0];
    if (field?.boolean && next.op !== 'exists' && !['true', 'false'].includes(next.value)) next.value = 'true';
    return next;
  }));

  async function save(event) {
    event.preventDefault();
    try {
      const path = segment ? `/api/segments/${encodeURIComponent(segment.id)}` : '/api/segments';
      await api(path, { method: segment ? 'PUT' : 'POST', body: { name, rules }, headers: segment ? { 'if-match': `"${segment.version}"` } : {} });
      onSaved();
    } catch (e) {
      setProblem(e);
    }
  }

  const messages = prefix => (problem ? problem.messagesFor(prefix) : []);
  return html`
    <form class="card segment-builder" onSubmit=${save} aria-labelledby="segment-form-title">
      <h2 id="segment-form-title">${segment ? `Edit ${segment.name}` : 'New segment'}</h2>
      <label for="segment-name">Name</label>
      <input id="segment-name" value=${name} onInput=${e => setName(e.target.value)}
        aria-invalid=${messages('name').length > 0} aria-describedby=${messages('name').length ? 'segment-name-error' : undefined} />
      ${messages('name').length > 0 && html`<p id="segment-name-error" class="error">${messages('name').join(' ')}</p>`}
      <label for="segment-join">Customers who meet</label>
      <select id="segment-join" value=${join} onChange=${e => setJoin(e.target.value)}>
        <option value="all">all of these conditions</option>
        <option value="any">any of these conditions</option>
      </select>
      <ol class="conditions">
        ${conditions.map((c, i) => {
          const field = fields.find(f => f.name === c.field) ?? standardFields[0];
          const errors = messages(`rules.${join}[${i}]`);
          return html`
            <li class="condition">
              <label for="condition-${i}-field" class="visually-hidden">Field of condition ${i + 1}</label>
              <select id="condition-${i}-field" value=${c.field} onChange=${e => change(i, { field: e.target.value })}>
                ${fields.map(f => html`<option value=${f.name}>${f.label}</option>`)}
              </select>
              <label for="condition-${i}-op" class="visually-hidden">Operator of condition ${i + 1}</label>
              <select id="condition-${i}-op" value=${c.op} onChange=${e => change(i, { op: e.target.value })}>
                ${field.ops.map(op => html`<option value=${op}>${opLabels[op]}</option>`)}
              </select>
              <label for="condition-${i}-value" class="visually-hidden">Value of condition ${i + 1}</label>
              ${c.op === 'exists'
                ? html`<select id="condition-${i}-value" value=${c.value === 'no' ? 'no' : 'yes'} onChange=${e => change(i, { value: e.target.value })}>
                    <option value="yes">yes</option><option value="no">no</option></select>`
                : field.boolean
                ? html`<select id="condition-${i}-value" value=${c.value === 'false' ? 'false' : 'true'} onChange=${e => change(i, { value: e.target.value })}>
                    <option value="true">yes</option><option value="false">no</option></select>`
                : html`<input id="condition-${i}-value" value=${c.value} onInput=${e => change(i, { value: e.target.value })}
                    placeholder=${c.op === 'within' ? 'P30D' : c.op === 'in' ? 'comma separated' : field.choices?.join(', ') ?? ''}
                    aria-invalid=${errors.length > 0} aria-describedby=${errors.length ? `condition-${i}-error` : undefined} />`}
              <button type="button" class="secondary" aria-label="Remove condition ${i + 1}" disabled=${conditions.length === 1}
                onClick=${() => setConditions(cs => cs.filter((_, j) => j !== i))}>Remove</button>
              ${errors.length > 0 && html`<p id="condition-${i}-error" class="error">${errors.join(' ')}</p>`}
            </li>`;
        })}
      </ol>
      <button type="button" class="secondary" onClick=${() => setConditions(cs => [...cs, blank()])}>Add condition</button>
      <p class="preview" role="status" aria-live="polite">
        ${preview ? `${preview.memberCount.toLocaleString()} ${preview.memberCount === 1 ? 'customer' : 'customers'}` : problem ? 'Fix the conditions to see who they hold.' : 'Counting…'}
        ${preview?.sample.length > 0 && html`<span class="sample">, e.g. ${preview.sample.map(c => c.displayName).join(', ')}</span>`}
      </p>
      ${problem && problem.status !== 400 && html`<p class="error" role="alert">${problem.message}</p>`}
      <div class="row">
        <button type="submit">${segment ? 'Save segment' : 'Create segment'}</button>
        ${segment && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
      </div>
    </form>`;
}

/** A segment's members, a page at a time, each a link to the customer. */
export function SegmentMembers({ id }) {
  const [segment, setSegment] = useState(null);
  const [members, setMembers] = useState({ items: [], nextCursor: null });
  const [error, setError] = useState(null);

  useEffect(() => {
    api(`/api/segments/${encodeURIComponent(id)}`).then(({ data }) => setSegment(data), setError);
    api(`/api/segments/${encodeURIComponent(id)}/members?limit=50`).then(({ data }) => setMembers(data), setError);
  }, [id]);

  async function more() {
    const { data } = await api(`/api/segments/${encodeURIComponent(id)}/members?limit=50&cursor=${encodeURIComponent(members.nextCursor)}`);
    setMembers(m => ({ items: [...m.items, ...data.items], nextCursor: data.nextCursor }));
  }

  if (error) return html`<p class="error" role="alert">${error.status === 404 ? 'There is no such segment.' : error.message}</p>`;
  if (!segment) return html`<p class="loading" role="status">Loading the segment…</p>`;
  return html`
    <section class="segment" aria-labelledby="segment-title">
      <p><a href="#/segments">← Segments</a></p>
      <h1 id="segment-title">${segment.name}</h1>
      <p>${segment.memberCount.toLocaleString()} ${segment.memberCount === 1 ? 'customer' : 'customers'}</p>
      <ul class="members" aria-label="Members of ${segment.name}">
        ${members.items.map(c => html`<li><a href="#/customers/${encodeURIComponent(c.id)}">${c.displayName}</a>
          <span>${[c.primaryEmail, c.company].filter(Boolean).join(' · ')}</span></li>`)}
      </ul>
      ${members.nextCursor && html`<button type="button" class="secondary" onClick=${more}>More customers</button>`}
    </section>`;
}
