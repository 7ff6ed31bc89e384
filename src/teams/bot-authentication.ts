/**
 * How /api/messages knows an activity really comes from the Bot Framework: the SDK's own
 * authentication (ConfigurationBotFrameworkAuthentication over a credentials factory), set up
 * once from plain settings (src/composition/bot-authentication-settings.ts reads them from config)
 * and shared by the TeamsAdapter and the route.
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
import {
  AuthenticationConstants,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';

export interface BotAuthentication {
  /** Options for `new TeamsAdapter(options, credentialsFactory)`. */
  options: ConfigurationBotFrameworkAuthenticationOptions;
  credentialsFactory: ServiceClientCredentialsFactory;
  /** The same SDK validation the adapter runs, for the route to answer 401 in the house format. */
  authentication: ConfigurationBotFrameworkAuthentication;
}

/** Who the bot is and how its tokens are checked. */
export interface BotAuthSettings {
  /** No bot registration (local mode): authentication is off and the route admits loopback callers only. */
  localMode: boolean;
  /** The bot's app id, or the managed identity's client id for UserAssignedMSI. */
  appId?: string;
  appType: 'SingleTenant' | 'UserAssignedMSI';
  /** The client secret; used with SingleTenant only. */
  password?: string;
  /** The tenant the bot's registration lives in. */
  appTenantId?: string;
  /** Replace the public cloud's OpenID metadata URL and token issuer (sovereign clouds, tests). */
  openIdMetadataUrl?: string;
  tokenIssuer?: string;
}

export function botCredentialsFactory(
  settings: BotAuthSettings,
): ConfigurationServiceClientCredentialFactory {
  if (settings.localMode) return new ConfigurationServiceClientCredentialFactory({});
  return new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: settings.appId,
    MicrosoftAppPassword: settings.appType === 'SingleTenant' ? settings.password : undefined,
    MicrosoftAppType: settings.appType,
    MicrosoftAppTenantId: settings.appTenantId,
  });
}

export function botAuthenticationOptions(
  settings: BotAuthSettings,
): ConfigurationBotFrameworkAuthenticationOptions {
  if (settings.openIdMetadataUrl === undefined && settings.tokenIssuer === undefined) return {};
  return {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    ToBotFromChannelTokenIssuer:
      settings.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl:
      settings.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
  };
}

/**
 * `credentialsFactory` replaces the one built from the settings; tests use it to stand in for Entra's
 * token endpoint on outbound replies (unreachable from here). Inbound validation is unchanged
 * as long as the replacement keeps `isValidAppId` and `isAuthenticationDisabled`.
 */
export function createBotAuthentication(
  settings: BotAuthSettings,
  credentialsFactory?: ServiceClientCredentialsFactory,
): BotAuthentication {
  const options = botAuthenticationOptions(settings);
  const factory = credentialsFactory ?? botCredentialsFactory(settings);
  return {
    options,
    credentialsFactory: factory,
    authentication: new ConfigurationBotFrameworkAuthentication(options, factory),
  };
}
