/**
 * The Teams app's settings from configuration: the bot's id and authentication, the tenant it
 * serves, local mode, and which GitHub web hosts' links it unfurls (from GITHUB_API_URL).
 */
import type { Config } from '../config.js';
import { webHostsFor } from '../github/github-links.js';
import type { TeamsAppSettings } from '../teams/teams-app.js';
import { botAuthenticationSettingsFrom } from './bot-authentication-settings.js';

export function teamsAppSettingsFrom(config: Config): TeamsAppSettings {
  return {
    botAppId: config.BOT_ID ?? '',
    tenantId: config.tenantId,
    localMode: config.localMode,
    auth: botAuthenticationSettingsFrom(config),
    linkHosts: webHostsFor(config.GITHUB_API_URL),
  };
}
