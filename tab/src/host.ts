/**
 * Where the tab runs: inside Teams (teams-js initialised, SSO token, Teams theme) or in a plain
 * browser (local mode: no SSO, the server accepts loopback callers only).
 */
import type { pages as TeamsPages } from '@microsoft/teams-js';

export type ThemeName = 'default' | 'dark' | 'contrast';

export interface Host {
  inTeams: boolean;
  theme: ThemeName;
  /** The channel or group chat the tab is in (configurable tabs), when Teams says. */
  conversationId?: string;
  /** Bearer token for the tab API; undefined in local mode. */
  token(): Promise<string | undefined>;
  onThemeChange(handler: (theme: ThemeName) => void): void;
  /** Teams's configuration-page API (pages.config), in Teams only. */
  config?: typeof TeamsPages.config;
}

/** Teams answers initialize within a second; a plain page inside some other frame never does. */
const INIT_TIMEOUT_MS = 4000;

export async function detectHost(): Promise<Host> {
  const framed = window.parent !== window || window.opener !== null;
  if (framed) {
    try {
      // Loaded only when framed: teams-js fetches its list of valid Teams origins from a CDN as it
      // loads, which a plain browser in local mode (or an offline test) has no business doing.
      const { app, authentication, pages } = await import('@microsoft/teams-js');
      await Promise.race([
        app.initialize(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), INIT_TIMEOUT_MS)),
      ]);
      const context = await app.getContext();
      return {
        inTeams: true,
        theme: asTheme(context.app.theme),
        conversationId: context.channel?.id ?? context.chat?.id,
        token: () => authentication.getAuthToken(),
        onThemeChange: (handler) =>
          app.registerOnThemeChangeHandler((theme) => handler(asTheme(theme))),
        config: pages.config,
      };
    } catch {
      // Not Teams after all: run as a plain page.
    }
  }
  const asked = new URLSearchParams(window.location.hash.split('?')[1] ?? '').get('theme');
  const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
  return {
    inTeams: false,
    theme:
      asked === 'dark' || asked === 'contrast' || asked === 'default'
        ? asked
        : prefersDark
          ? 'dark'
          : 'default',
    token: async () => undefined,
    onThemeChange: () => undefined,
  };
}

function asTheme(theme: string | undefined): ThemeName {
  return theme === 'dark' || theme === 'contrast' ? theme : 'default';
}
