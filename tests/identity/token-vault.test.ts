/** The token vault (AES-256-GCM, bound to the token's owner) and the encryption key's formats. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  EncryptionKeyError,
  deriveLocalKey,
  parseEncryptionKey,
} from '../../src/identity/encryption-key.js';
import { TokenVault, TokenVaultError } from '../../src/identity/token-vault.js';

const TOKEN = 'ghu_vaulttest0123456789abcdefghijklmnop';

describe('token vault', function () {
  const vault = new TokenVault(randomBytes(32));

  it('opens what it sealed, for the same owner', function () {
    const sealed = vault.seal({ accessToken: TOKEN, refreshToken: 'ghr_refresh' }, 'tenant|aad-1');
    assert.deepEqual(vault.open(sealed, 'tenant|aad-1'), {
      accessToken: TOKEN,
      refreshToken: 'ghr_refresh',
    });
  });

  it('the sealed form holds no token in clear, and two seals of one token differ (fresh IV)', function () {
    const a = vault.seal({ accessToken: TOKEN }, 'o');
    const b = vault.seal({ accessToken: TOKEN }, 'o');
    for (const sealed of [a, b]) {
      const json = JSON.stringify(sealed);
      assert.ok(
        !json.includes(TOKEN) && !json.includes(Buffer.from(TOKEN).toString('base64')),
        json,
      );
    }
    assert.notEqual(a.iv, b.iv);
    assert.notEqual(a.data, b.data);
  });

  it('refuses another owner, another key, and any tampering, with a message that names no secret', function () {
    const sealed = vault.seal({ accessToken: TOKEN }, 'tenant|aad-1');
    const flip = (b64: string) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0]! ^= 1;
      return bytes.toString('base64');
    };
    const attempts: Array<[string, () => unknown]> = [
      ['another owner', () => vault.open(sealed, 'tenant|aad-2')],
      ['another key', () => new TokenVault(randomBytes(32)).open(sealed, 'tenant|aad-1')],
      ['altered data', () => vault.open({ ...sealed, data: flip(sealed.data) }, 'tenant|aad-1')],
      ['altered tag', () => vault.open({ ...sealed, tag: flip(sealed.tag) }, 'tenant|aad-1')],
      ['unknown version', () => vault.open({ ...sealed, v: 2 as 1 }, 'tenant|aad-1')],
    ];
    for (const [what, attempt] of attempts) {
      assert.throws(
        attempt,
        (error: unknown) =>
          error instanceof TokenVaultError &&
          /TOKEN_ENCRYPTION_KEY changed, or the record was altered/.test(error.message) &&
          !error.message.includes(TOKEN),
        what,
      );
    }
  });

  it('wants a 32-byte key', function () {
    assert.throws(() => new TokenVault(randomBytes(16)), RangeError);
  });
});

describe('TOKEN_ENCRYPTION_KEY formats', function () {
  const key = randomBytes(32);

  it('accepts 32 bytes as hex, base64 and base64url', function () {
    for (const text of [
      key.toString('hex'),
      key.toString('base64'),
      key.toString('base64url'),
      ` ${key.toString('base64')}\n`,
    ])
      assert.deepEqual(parseEncryptionKey(text), key, text);
  });

  it('refuses anything else with how to make one', function () {
    for (const text of [
      '',
      'secret',
      key.toString('hex').slice(2),
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(24).toString('hex'),
      'z'.repeat(64),
    ]) {
      assert.throws(
        () => parseEncryptionKey(text),
        (error: unknown) =>
          error instanceof EncryptionKeyError && /openssl rand -base64 32/.test(error.message),
        JSON.stringify(text),
      );
    }
  });

  it('the local-mode key is stable for a secret and differs between secrets', function () {
    assert.deepEqual(deriveLocalKey('one-secret'), deriveLocalKey('one-secret'));
    assert.notDeepEqual(deriveLocalKey('one-secret'), deriveLocalKey('another-secret'));
    assert.equal(deriveLocalKey('x').length, 32);
  });
});
