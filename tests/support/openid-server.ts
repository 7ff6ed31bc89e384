/**
 * A loopback stand-in for the Bot Framework's OpenID metadata endpoint and its JWKS, with an RSA
 * key made for the test, and a signer that issues channel tokens the way the Bot Framework does
 * (RS256, `iss` https://api.botframework.com, `aud` the bot's app id, `serviceurl` claim).
 */
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MicrosoftAppCredentials, ServiceClientCredentialsFactory } from 'botframework-connector';

export const CHANNEL_ISSUER = 'https://api.botframework.com';

export interface OpenIdServer {
  metadataUrl: string;
  /** A token signed with the served key; `claims` override the defaults. */
  token(
    claims: Record<string, unknown>,
    options?: { expiresIn?: string | number; key?: CryptoKey; kid?: string },
  ): Promise<string>;
  /** A key that is not served: tokens signed with it must be refused. */
  foreignKey: CryptoKey;
  stop(): Promise<void>;
}

export async function startOpenIdServer(): Promise<OpenIdServer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256');
  const kid = `test-key-${process.pid}-${Date.now()}`;
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid,
    use: 'sig',
    alg: 'RS256',
    endorsements: ['msteams', 'webchat'],
  };
  let base = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/.well-known/openidconfiguration') {
      res.end(
        JSON.stringify({
          issuer: CHANNEL_ISSUER,
          authorization_endpoint: `${base}/auth`,
          jwks_uri: `${base}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else if (req.url === '/v1/.well-known/keys') {
      res.end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    foreignKey: foreign.privateKey,
    async token(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: CHANNEL_ISSUER, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? kid, typ: 'JWT' })
        .setIssuedAt(now - 60)
        .setNotBefore(now - 60)
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(options.key ?? privateKey);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Keeps the real factory's inbound checks (which app ids are valid) and replaces only its
 * outbound token acquisition: Entra's token endpoint is unreachable from here, and the connector
 * stub accepts any bearer token.
 */
export class LoopbackCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(private readonly real: ServiceClientCredentialsFactory) {
    super();
  }
  isValidAppId(appId: string): Promise<boolean> {
    return this.real.isValidAppId(appId);
  }
  isAuthenticationDisabled(): Promise<boolean> {
    return this.real.isAuthenticationDisabled();
  }
  async createCredentials(appId: string): Promise<MicrosoftAppCredentials> {
    const credentials = new MicrosoftAppCredentials(appId, 'unused');
    credentials.getToken = async () => 'loopback-connector-token';
    return credentials;
  }
}
