/**
 * How /api/messages knows an activity really comes from the Bot Framework: the SDK's own
 * authentication (ConfigurationBotFrameworkAuthentication over a credentials factory), set up
 * from config once and shared by the TeamsAdapter and the route.
 *
 * - BOT_TYPE=SingleTenant (BOT_ID + BOT_PASSWORD + BOT_TENANT_ID) and BOT_TYPE=UserAssignedMSI
 *   (BOT_ID is the managed identity's client id, BOT_TENANT_ID its tenant) are what Azure creates
 *   today. MultiTenant bots can no longer be created, so config refuses that type.
 * - Local mode (no BOT_ID): the factory gets no app type, the SDK treats authentication as
 *   disabled, and the route admits loopback callers only.
 * - BOT_OPENID_METADATA_URL / BOT_TOKEN_ISSUER replace the public cloud's OpenID metadata and
 *   issuer: a knob for sovereign clouds and for tests (a loopback OpenID server). Setting either
 *   makes the SDK take the "parameterized" path, which wants every endpoint, so the public-cloud
 *   constants fill in the rest.
 */
import {
  CallerIdConstants,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import { AuthenticationConstants, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../config.js';

export interface BotAuthentication {
  /** Options for `new TeamsAdapter(options, credentialsFactory)`. */
  options: ConfigurationBotFrameworkAuthenticationOptions;
  credentialsFactory: ServiceClientCredentialsFactory;
  /** The same SDK validation the adapter runs, for the route to answer 401 in the house format. */
  authentication: ConfigurationBotFrameworkAuthentication;
}

type AuthConfig = Pick<Config, 'localMode' | 'BOT_ID' | 'BOT_PASSWORD' | 'BOT_TYPE' | 'BOT_TENANT_ID' | 'BOT_OPENID_METADATA_URL' | 'BOT_TOKEN_ISSUER'>;

export function botCredentialsFactory(config: AuthConfig): ConfigurationServiceClientCredentialFactory {
  if (config.localMode) return new ConfigurationServiceClientCredentialFactory({});
  return new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.BOT_ID,
    MicrosoftAppPassword: config.BOT_TYPE === 'SingleTenant' ? config.BOT_PASSWORD : undefined,
    MicrosoftAppType: config.BOT_TYPE,
    MicrosoftAppTenantId: config.BOT_TENANT_ID,
  });
}

export function botAuthenticationOptions(config: AuthConfig): ConfigurationBotFrameworkAuthenticationOptions {
  if (config.BOT_OPENID_METADATA_URL === undefined && config.BOT_TOKEN_ISSUER === undefined) return {};
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer: config.BOT_TOKEN_ISSUER ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: config.BOT_OPENID_METADATA_URL ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/**
 * `credentialsFactory` replaces the one built from config; tests use it to stand in for Entra's
 * token endpoint on outbound replies (unreachable from here). Inbound validation is unchanged
 * as long as the replacement keeps `isValidAppId` and `isAuthenticationDisabled`.
 */
export function createBotAuthentication(config: AuthConfig, credentialsFactory?: ServiceClientCredentialsFactory): BotAuthentication {
  const options = botAuthenticationOptions(config);
  const factory = credentialsFactory ?? botCredentialsFactory(config);
  return { options, credentialsFactory: factory, authentication: new ConfigurationBotFrameworkAuthentication(options, factory) };
}
