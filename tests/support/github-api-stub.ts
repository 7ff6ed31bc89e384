/**
 * A stand-in for GitHub on loopback (GitHub itself cannot be reached from here), in GitHub's wire
 * format. Two sides, one server, as GITHUB_WEB_URL and GITHUB_API_URL may point at one host:
 *
 * - The writes Reynolds makes: issue/PR update (PATCH), comments, reviews, labels, answering in
 *   GitHub's JSON shapes. Issue or PR number 404 answers 404 Not Found, 403 answers 403 and 422
 *   answers 422, as GitHub would. A write with a person's token that was revoked answers 401.
 * - Sign-in (`signIn`): the device flow (`POST /login/device/code`, `POST /login/oauth/access_token`
 *   with authorization_pending / slow_down / expired_token / access_denied, and the refresh grant),
 *   `GET /user`, and token revocation (`DELETE /applications/{client_id}/token`, HTTP Basic
 *   client_id:client_secret). OAuth errors come as GitHub sends them: 200 with `{error, ...}`.
 *
 * Every request is recorded with the token it carried. With `fallbackUrl`, requests it has no
 * route for are passed on to another stand-in (e.g. the GitHub App one), so one GITHUB_API_URL
 * serves both.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubRequest {
  method: string;
  path: string;
  body: Record<string, any>;
  authorization?: string;
}

export interface StubUser {
  id: number;
  login: string;
  name?: string;
}

export type OAuthScriptStep =
  'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied';

export interface IssuedCode {
  deviceCode: string;
  userCode: string;
  /** Who approved it (then the next poll gets a token), or `denied`. */
  decision?: StubUser | 'denied';
  /** Polls of this code so far. */
  polls: number;
}

export interface SignInStandIn {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Issue GitHub App user tokens that expire (with refresh tokens), `expiresIn` seconds; undefined: OAuth App tokens that do not. */
  expiresIn?: number;
  /** Answers the next polls give before the decision counts, in order (e.g. a `slow_down`). */
  script: OAuthScriptStep[];
  /** The interval the device code asks for, in seconds (GitHub: 5; tests: small). */
  interval: number;
  /** While true, every sign-in endpoint answers 503, as GitHub does when it is down. */
  down: boolean;
  readonly codes: IssuedCode[];
  /** Access tokens issued, by token: the user and whether it was revoked. */
  readonly tokens: Map<string, { user: StubUser; revoked: boolean; refreshToken?: string }>;
  /** The person enters the code and approves (as `user`), or denies. */
  approve(userCode: string, user: StubUser): void;
  deny(userCode: string): void;
  /** The latest code nobody has decided on yet, waiting for one to be issued if need be. */
  nextCode(timeoutMs?: number): Promise<IssuedCode>;
  /** Revokes a token on GitHub's side (the person did it under Settings → Applications). */
  revokeOnGitHub(token: string): void;
}

export interface GitHubApiStub {
  url: string;
  requests: GitHubRequest[];
  /** Requests that wrote something (anything but GET, and not sign-in). */
  writes(): GitHubRequest[];
  signIn: SignInStandIn;
  stop(): Promise<void>;
}

const ROUTES: Array<[string, RegExp]> = [
  ['PATCH', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/labels$/],
  ['POST', /^\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/reviews$/],
];

const FAILURES: Record<string, { status: number; message: string }> = {
  '404': { status: 404, message: 'Not Found' },
  '403': { status: 403, message: 'Resource not accessible by integration' },
  '422': { status: 422, message: 'Validation Failed' },
};

const SIGN_IN_PATHS = /^\/(login\/|applications\/|user$)/;
const OAUTH_ERRORS: Record<string, string> = {
  authorization_pending: 'The authorization request is still pending.',
  slow_down: 'Too many requests have been made in the same timeframe.',
  expired_token: 'The `device_code` has expired.',
  access_denied: 'The authorization request was denied.',
  incorrect_device_code: 'The device_code provided is not valid.',
  incorrect_client_credentials: 'The client_id and/or client_secret passed are incorrect.',
  bad_refresh_token: 'The refresh token passed is incorrect or expired.',
  unsupported_grant_type: 'The grant type is not supported.',
};

export async function startGitHubApiStub(
  options: { clientId?: string; clientSecret?: string; fallbackUrl?: string } = {},
): Promise<GitHubApiStub> {
  const requests: GitHubRequest[] = [];
  let ids = 1000;
  let serial = 0;
  const waiters: Array<() => void> = [];
  const signIn: SignInStandIn = {
    clientId: options.clientId ?? 'Iv23liStandInClient',
    clientSecret: options.clientSecret ?? 'standin-client-secret-0123456789abcdef0123',
    script: [],
    interval: 1,
    down: false,
    codes: [],
    tokens: new Map(),
    approve(userCode, user) {
      codeOf(userCode).decision = user;
    },
    deny(userCode) {
      codeOf(userCode).decision = 'denied';
    },
    async nextCode(timeoutMs = 10_000) {
      const open = () => signIn.codes.filter((c) => c.decision === undefined).at(-1);
      if (open()) return open()!;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('no device code was requested')),
          timeoutMs,
        );
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return open()!;
    },
    revokeOnGitHub(token) {
      const issued = signIn.tokens.get(token);
      if (issued) issued.revoked = true;
    },
  };
  const codeOf = (userCode: string) => {
    const code = signIn.codes.find((c) => c.userCode === userCode);
    if (!code) throw new Error(`no device code ${userCode} was issued`);
    return code;
  };
  const issueTokens = (user: StubUser) => {
    serial += 1;
    const expiring = signIn.expiresIn !== undefined;
    const accessToken = `${expiring ? 'ghu' : 'gho'}_StandIn${String(serial).padStart(4, '0')}${'x'.repeat(24)}`;
    const refreshToken = expiring
      ? `ghr_StandIn${String(serial).padStart(4, '0')}${'y'.repeat(60)}`
      : undefined;
    signIn.tokens.set(accessToken, { user, revoked: false, ...(refreshToken && { refreshToken }) });
    return {
      access_token: accessToken,
      token_type: 'bearer',
      scope: expiring ? '' : 'repo',
      ...(expiring && {
        expires_in: signIn.expiresIn,
        refresh_token: refreshToken,
        refresh_token_expires_in: 15_897_600,
      }),
    };
  };
  const tokenOf = (authorization: string | undefined) =>
    (authorization ?? '').replace(/^(token|bearer)\s+/i, '');

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const body = parseBody(raw, req.headers['content-type']);
      requests.push({
        method: req.method ?? '',
        path,
        body,
        authorization: req.headers.authorization,
      });
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const oauthError = (error: string, extra: Record<string, unknown> = {}) =>
        send(200, {
          error,
          error_description: OAUTH_ERRORS[error] ?? error,
          error_uri:
            'https://docs.github.com/developers/apps/authorizing-oauth-apps#error-codes-for-the-device-flow',
          ...extra,
        });

      if (SIGN_IN_PATHS.test(path)) {
        if (signIn.down) return send(503, { message: 'Service Unavailable' });
        if (req.method === 'POST' && path === '/login/device/code') {
          if (body['client_id'] !== signIn.clientId) return send(404, { error: 'Not Found' });
          serial += 1;
          const code: IssuedCode = {
            deviceCode: `dc_${serial}_${Math.random().toString(36).slice(2)}`,
            userCode: `WDJB-${String(1000 + serial).slice(-4)}`,
            polls: 0,
          };
          signIn.codes.push(code);
          waiters.splice(0).forEach((wake) => wake());
          return send(200, {
            device_code: code.deviceCode,
            user_code: code.userCode,
            verification_uri: `http://${req.headers.host}/login/device`,
            expires_in: 900,
            interval: signIn.interval,
          });
        }
        if (req.method === 'POST' && path === '/login/oauth/access_token') {
          if (body['client_id'] !== signIn.clientId)
            return oauthError('incorrect_client_credentials');
          if (body['grant_type'] === 'refresh_token') {
            if (body['client_secret'] !== signIn.clientSecret)
              return oauthError('incorrect_client_credentials');
            const old = [...signIn.tokens.entries()].find(
              ([, t]) => t.refreshToken === body['refresh_token'] && !t.revoked,
            );
            if (!old) return oauthError('bad_refresh_token');
            old[1].revoked = true; // GitHub retires the old pair when it issues a new one
            return send(200, issueTokens(old[1].user));
          }
          if (body['grant_type'] !== 'urn:ietf:params:oauth:grant-type:device_code')
            return oauthError('unsupported_grant_type');
          const code = signIn.codes.find((c) => c.deviceCode === body['device_code']);
          if (!code) return oauthError('incorrect_device_code');
          code.polls += 1;
          const step = signIn.script.shift();
          if (step === 'slow_down')
            return oauthError('slow_down', { interval: signIn.interval + 5 });
          if (step) return oauthError(step);
          if (code.decision === 'denied') return oauthError('access_denied');
          if (code.decision === undefined) return oauthError('authorization_pending');
          const user = code.decision;
          code.decision = undefined; // a device code is good for one token
          signIn.codes.splice(signIn.codes.indexOf(code), 1);
          return send(200, issueTokens(user));
        }
        if (req.method === 'GET' && path === '/user') {
          const issued = signIn.tokens.get(tokenOf(req.headers.authorization));
          if (!issued || issued.revoked)
            return send(401, {
              message: 'Bad credentials',
              documentation_url: 'https://docs.github.com/rest',
              status: '401',
            });
          return send(200, {
            login: issued.user.login,
            id: issued.user.id,
            name: issued.user.name ?? null,
            type: 'User',
          });
        }
        const revoke = /^\/applications\/([^/]+)\/token$/.exec(path);
        if (req.method === 'DELETE' && revoke) {
          const basic = Buffer.from(
            (req.headers.authorization ?? '').replace(/^basic\s+/i, ''),
            'base64',
          ).toString('utf8');
          if (
            revoke[1] !== signIn.clientId ||
            basic !== `${signIn.clientId}:${signIn.clientSecret}`
          )
            return send(401, {
              message: 'Requires authentication',
              documentation_url: 'https://docs.github.com/rest',
            });
          const issued = signIn.tokens.get(String(body['access_token']));
          if (!issued || issued.revoked)
            return send(404, {
              message: 'Not Found',
              documentation_url: 'https://docs.github.com/rest',
            });
          issued.revoked = true;
          return send(204);
        }
        return send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      }

      const route = ROUTES.find(([method, pattern]) => method === req.method && pattern.test(path));
      if (!route && options.fallbackUrl) {
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'accept', 'content-type', 'user-agent'])
          if (typeof req.headers[name] === 'string') headers[name] = req.headers[name];
        void fetch(`${options.fallbackUrl}${req.url ?? ''}`, {
          method: req.method,
          headers,
          ...(raw !== '' && { body: raw }),
        }).then(
          async (answer) => {
            res.writeHead(
              answer.status,
              Object.fromEntries(
                [...answer.headers].filter(
                  ([name]) =>
                    ![
                      'content-length',
                      'transfer-encoding',
                      'connection',
                      'content-encoding',
                    ].includes(name),
                ),
              ),
            );
            res.end(Buffer.from(await answer.arrayBuffer()));
          },
          () => send(502, { message: 'the fallback stand-in did not answer' }),
        );
        return;
      }
      if (!route)
        return send(404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      const person = signIn.tokens.get(tokenOf(req.headers.authorization));
      if (person?.revoked)
        return send(401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
      const number = route[1].exec(path)![1]!;
      const failure = FAILURES[number];
      if (failure)
        return send(failure.status, {
          message: failure.message,
          documentation_url: 'https://docs.github.com/rest',
          status: String(failure.status),
        });
      ids += 1;
      const html = `https://github.com${path.replace('/repos', '')}`;
      if (path.endsWith('/comments'))
        return send(201, {
          id: ids,
          body: body['body'],
          html_url: `${html}#issuecomment-${ids}`,
          user: person ? { login: person.user.login, id: person.user.id } : undefined,
        });
      if (path.endsWith('/reviews'))
        return send(200, {
          id: ids,
          state: body['event'] === 'APPROVE' ? 'APPROVED' : 'CHANGES_REQUESTED',
          body: body['body'] ?? '',
        });
      if (path.endsWith('/labels'))
        return send(
          200,
          (body['labels'] ?? []).map((name: string) => ({ name })),
        );
      return send(200, { number: Number(number), state: body['state'] ?? 'open', html_url: html });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET' && !SIGN_IN_PATHS.test(r.path)),
    signIn,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** GitHub's OAuth endpoints take JSON or form bodies. */
function parseBody(raw: string, contentType: string | undefined): Record<string, any> {
  if (raw === '') return {};
  if ((contentType ?? '').includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as Record<string, any>;
  } catch {
    return {};
  }
}
