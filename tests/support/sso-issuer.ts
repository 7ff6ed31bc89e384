/**
 * A stand-in for Azure AD's token signing on loopback: a key pair generated in the test, its
 * public half served as a JWKS (the wire format of login.microsoftonline.com/.../discovery/v2.0/keys),
 * and tokens signed with the private half, shaped like Teams SSO tokens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';

export interface SsoIssuer {
  jwksUrl: string;
  /** A token like authentication.getAuthToken's; `claims` override the defaults. */
  token(
    claims?: JWTPayload & { expiresIn?: string | number },
    options?: { foreignKey?: boolean },
  ): Promise<string>;
  jwksRequests: number;
  stop(): Promise<void>;
}

export async function startSsoIssuer(defaults: {
  tenantId: string;
  audience: string;
}): Promise<SsoIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
  let jwksRequests = 0;
  const server = createServer((req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/common/discovery/v2.0/keys`,
    get jwksRequests() {
      return jwksRequests;
    },
    async token(claims = {}, options = {}) {
      const { expiresIn = '1h', ...rest } = claims;
      const tid = (rest.tid as string | undefined) ?? defaults.tenantId;
      return new SignJWT({
        tid,
        oid: 'user-oid-1',
        name: 'Megan Bowen',
        preferred_username: 'megan@contoso.test',
        scp: 'access_as_user',
        ...rest,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' })
        .setIssuer(
          (rest.iss as string | undefined) ?? `https://login.microsoftonline.com/${tid}/v2.0`,
        )
        .setAudience((rest.aud as string | undefined) ?? defaults.audience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(options.foreignKey ? foreign.privateKey : privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
