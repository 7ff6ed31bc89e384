/**
 * The key that seals GitHub tokens at rest (TOKEN_ENCRYPTION_KEY): exactly 32 bytes, written as
 * base64 (44 characters) or hex (64 characters). Parsing is strict so a truncated or mistyped
 * key is a clear start-up error, not a key that silently differs between replicas.
 */
import { hkdfSync } from 'node:crypto';

export const KEY_BYTES = 32;

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/** 32 bytes from 64 hex digits or from base64 / base64url; anything else throws EncryptionKeyError. */
export function parseEncryptionKey(text: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value))
    key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (!key || key.length !== KEY_BYTES) {
    throw new EncryptionKeyError(
      `expected ${KEY_BYTES} random bytes as 64 hex digits or 44 base64 characters (make one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

/**
 * Local mode only: a key derived from another local secret (HKDF-SHA256), so `npm start` works on
 * a fresh clone and tokens are still never stored in clear. Production sets its own key.
 */
export function deriveLocalKey(secret: string): Buffer {
  return Buffer.from(
    hkdfSync('sha256', secret, 'reynolds-local', 'reynolds-token-vault-v1', KEY_BYTES),
  );
}
