/**
 * Seals and opens people's GitHub tokens with AES-256-GCM (node:crypto; a library would add
 * nothing over these few calls). Each sealed token is bound to whose it is (its record's tenant
 * and Teams user, as GCM's additional authenticated data), so a sealed token copied into another
 * person's record does not open. A fresh 96-bit IV per seal, as GCM requires.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_BYTES } from './encryption-key.js';

/** What is secret about a sign-in: the tokens themselves. */
export interface TokenSecret {
  accessToken: string;
  /** GitHub App user tokens that expire come with one. */
  refreshToken?: string;
}

/** A sealed TokenSecret as stored: base64 fields, version for a future key rotation. */
export interface SealedToken {
  v: 1;
  iv: string;
  tag: string;
  data: string;
}

/** The sealed token does not open: another key, another owner, or tampered with. */
export class TokenVaultError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenVaultError';
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;

export class TokenVault {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES)
      throw new RangeError(`a token vault key is ${KEY_BYTES} bytes (got ${key.length})`);
    this.key = Buffer.from(key);
  }

  seal(secret: TokenSecret, owner: string): SealedToken {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const data = Buffer.concat([cipher.update(JSON.stringify(secret), 'utf8'), cipher.final()]);
    return {
      v: 1,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  open(sealed: SealedToken, owner: string): TokenSecret {
    try {
      if (sealed?.v !== 1) throw new Error(`unknown sealed-token version ${String(sealed?.v)}`);
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(owner, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const json = Buffer.concat([
        decipher.update(Buffer.from(sealed.data, 'base64')),
        decipher.final(),
      ]).toString('utf8');
      const secret = JSON.parse(json) as TokenSecret;
      if (typeof secret.accessToken !== 'string') throw new Error('no access token inside');
      return secret;
    } catch (error) {
      // The cause names no secret (GCM says only "unable to authenticate data").
      throw new TokenVaultError(
        'a stored GitHub token could not be opened: TOKEN_ENCRYPTION_KEY changed, or the record was altered',
        { cause: error },
      );
    }
  }
}
