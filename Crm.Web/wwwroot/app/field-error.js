import { html } from './html.js';
import { ApiError } from './api.js';

/** The API's messages for a form field; none when the failure named no fields. */
export const fieldMessages = (error, field) => (error instanceof ApiError ? error.messagesFor(field) : []);

/** A field's messages next to it, announced as they appear; nothing when there are none. */
export function FieldError({ id, messages }) {
  return messages.length > 0 && html`<span id=${id} class="field-error" role="alert">${messages.join(' ')}</span>`;
}
