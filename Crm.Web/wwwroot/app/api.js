import { session } from './session.js';

/** A failed API call, with the ProblemDetails the API answered: title, detail and errors by field. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
    this.status = status;
    this.title = problem?.title ?? `Error ${status}`;
    this.errors = problem?.errors ?? {};
    this.problem = problem ?? {};
  }

  /** The messages for a form field, gathering "emails[0]", "emails[1]"… under "emails" and "consent.email" under "consent". */
  messagesFor(field) {
    return Object.entries(this.errors)
      .filter(([name]) => name === field || name.startsWith(`${field}[`) || name.startsWith(`${field}.`))
      .flatMap(([name, messages]) => messages.map(m => (name === field ? m : `${name}: ${m}`)));
  }
}

/** Calls the API with the session's token; a FormData body goes as multipart/form-data, anything else as JSON. */
export async function api(path, { method = 'GET', body, headers = {}, contentType = 'application/json' } = {}) {
  const form = body instanceof FormData;
  const response = await fetch(path, {
    method,
    headers: {
      ...(body === undefined || form ? {} : { 'content-type': contentType }),
      ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  if (response.status === 401 && session.token) session.end();
  const text = await response.text();
  const data = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get('etag'), status: response.status };
}

/** Downloads what an API path answers as a file: a plain link cannot send the session's token. */
export async function download(path, fileName) {
  const response = await fetch(path, { headers: { authorization: `Bearer ${session.token}` } });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  link.click();
  URL.revokeObjectURL(url);
}
