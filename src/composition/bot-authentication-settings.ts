/**
 * The bot's authentication settings from configuration (BOT_ID, BOT_TYPE, BOT_PASSWORD,
 * BOT_TENANT_ID, BOT_OPENID_METADATA_URL, BOT_TOKEN_ISSUER); src/teams/bot-authentication.ts
 * turns them into the SDK's authentication.
 */
import type { Config } from '../config.js';
import type { BotAuthSettings } from '../teams/bot-authentication.js';

type AuthConfig = Pick<
  Config,
  | 'localMode'
  | 'BOT_ID'
  | 'BOT_PASSWORD'
  | 'BOT_TYPE'
  | 'BOT_TENANT_ID'
  | 'BOT_OPENID_METADATA_URL'
  | 'BOT_TOKEN_ISSUER'
>;

export function botAuthenticationSettingsFrom(config: AuthConfig): BotAuthSettings {
  return {
    localMode: config.localMode,
    appId: config.BOT_ID,
    appType: config.BOT_TYPE,
    password: config.BOT_PASSWORD,
    appTenantId: config.BOT_TENANT_ID,
    openIdMetadataUrl: config.BOT_OPENID_METADATA_URL,
    tokenIssuer: config.BOT_TOKEN_ISSUER,
  };
}
