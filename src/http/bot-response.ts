/**
 * The response the Bot Framework adapter writes to, in front of restify's: successes pass
 * through untouched (invoke responses carry bodies), and the adapter's plain-text failures
 * (400 for an activity it cannot read, 401, 500) become house-format JSON errors.
 */
import type restify from 'restify';
import { sendError } from './server.js';

/** The four methods botbuilder's CloudAdapter calls on a response (its `ResponseT`). */
export interface AdapterResponse {
  socket: unknown;
  status(code: number): AdapterResponse;
  header(name: string, value: unknown): AdapterResponse;
  send(body?: unknown): AdapterResponse;
  end(): AdapterResponse;
}

const CODES: Record<number, [string, string]> = {
  400: ['malformed_activity', 'The body must be a Bot Framework activity with a type.'],
  401: ['unauthorized', 'The Bot Framework token is missing or invalid.'],
  405: ['method_not_allowed', 'Use POST.'],
  /** The Bot Framework protocol's answer to an invoke no handler claims; Teams expects it. */
  501: ['not_implemented', 'Reynolds does not handle this invoke.'],
};

export function houseFormatResponse(res: restify.Response): AdapterResponse {
  let status = 200;
  let done = false;
  const fail = (body: unknown) => {
    const [code, message] = CODES[status] ?? ['internal', 'Internal error; it has been logged.'];
    const detail =
      (status < 500 || status === 501) && typeof body === 'string' && body.length > 0
        ? ` (${body.slice(0, 200)})`
        : '';
    sendError(res, status, code, `${message}${detail}`);
  };
  const facade: AdapterResponse = {
    socket: res.socket,
    status(code) {
      status = code;
      return facade;
    },
    header(name, value) {
      if (!res.headersSent) res.header(name, value);
      return facade;
    },
    send(body) {
      if (done || res.headersSent) return facade;
      done = true;
      if (status >= 400) fail(body);
      else res.send(status, body);
      return facade;
    },
    end() {
      if (done || res.headersSent) return facade;
      done = true;
      if (status >= 400) fail(undefined);
      else {
        res.status(status);
        res.end();
      }
      return facade;
    },
  };
  return facade;
}
