import { html } from './html.js';
import { ApiError } from './api.js';

/** The API's messages for a form field; none when the failure named no fields. */
export const fieldMessages = (error, field) => (error instanceof ApiError ? error.messagesFor(field) : []);

/** A field's messages next to it, announced as they appear; nothing when there are none. */
export function FieldError({ id, messages }) {
  return messages.length > 0 && html`<span id=${id} class="field-error" role="alert">${messages.join(' ')}</span>`;
}

/**
 * What an input needs to show the API's messages for its field: attributes that mark it invalid and point at the
 * messages, and the messages themselves, as the element with id `${inputId}-error`.
 */
export function fieldProblem(error, field, inputId) {
  const messages = fieldMessages(error, field);
  const errorId = `${inputId}-error`;
  return {
    messages,
    attributes: { 'aria-invalid': messages.length > 0, 'aria-describedby': messages.length > 0 ? errorId : undefined },
    message: html`<${FieldError} id=${errorId} messages=${messages} />`,
  };
}
