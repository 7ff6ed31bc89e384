/** The tab API client: same origin, the SSO token as a Bearer token in Teams, house JSON errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let tokenSource: () => Promise<string | undefined> = async () => undefined;

export function useTokenSource(source: () => Promise<string | undefined>): void {
  tokenSource = source;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let token: string | undefined;
  try {
    token = await tokenSource();
  } catch (error) {
    throw new ApiError(
      401,
      'sso_failed',
      `Teams did not give a sign-in token (${String(error)}); reload the tab, and ask your admin to grant Reynolds consent if it persists.`,
    );
  }
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(
      0,
      'unreachable',
      'Reynolds is not answering; check that it is running (npm start) and reload.',
    );
  }
  const text = await response.text();
  // Reynolds's own JSON: the callers below narrow each answer to the type they asked for.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = text ? (JSON.parse(text) as Record<string, any>) : {};
  if (!response.ok)
    throw new ApiError(
      response.status,
      json.error?.code ?? 'error',
      json.error?.message ?? `Reynolds answered ${response.status}.`,
    );
  return json as T;
}
