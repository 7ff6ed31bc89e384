/**
 * The tab: one bundle, four pages chosen by the hash (the app manifest points at them):
 * #/chains and #/pool (personal tab), #/config (configurable tab's configuration page),
 * #/channel (the configured tab's content). The theme follows Teams (light, dark, high contrast).
 */
import {
  Badge,
  FluentProvider,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  tokens,
} from '@fluentui/react-components';
import { useEffect, useState } from 'react';
import { useTokenSource } from './api';
import { detectHost, type Host, type ThemeName } from './host';
import { ChainsPage } from './pages/ChainsPage';
import { ChannelPage } from './pages/ChannelPage';
import { ConfigPage } from './pages/ConfigPage';
import { PoolPage } from './pages/PoolPage';

const THEMES = { default: teamsLightTheme, dark: teamsDarkTheme, contrast: teamsHighContrastTheme };

const useStyles = makeStyles({
  page: {
    minHeight: '100vh',
    padding: '12px 20px',
    boxSizing: 'border-box',
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  header: { display: 'flex', alignItems: 'center', gap: '12px', marginBottom: '12px' },
});

export interface Route {
  page: 'chains' | 'pool' | 'config' | 'channel';
  /** The rest of the path, e.g. a chain id in #/chains/<id>. */
  rest: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [first = 'chains', ...rest] = path.split('/').filter(Boolean).map(decodeURIComponent);
  const page = first === 'pool' || first === 'config' || first === 'channel' ? first : 'chains';
  return { page, rest, params: new URLSearchParams(query) };
}

export function App() {
  const styles = useStyles();
  const [host, setHost] = useState<Host>();
  const [theme, setTheme] = useState<ThemeName>('default');
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));

  useEffect(() => {
    detectHost().then((found) => {
      useTokenSource(found.token);
      setTheme(found.theme);
      found.onThemeChange(setTheme);
      setHost(found);
    });
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Outside Teams, ?theme=dark|contrast|default in the hash picks a theme (to check each by eye or in tests).
  useEffect(() => {
    const asked = route.params.get('theme');
    if (host && !host.inTeams && (asked === 'dark' || asked === 'contrast' || asked === 'default'))
      setTheme(asked);
  }, [host, route]);

  const personal = route.page === 'chains' || route.page === 'pool';
  return (
    <FluentProvider theme={THEMES[theme]} data-theme={theme}>
      <div className={styles.page}>
        <header className={styles.header}>
          <strong>Reynolds</strong>
          {personal && (
            <TabList
              selectedValue={route.page}
              onTabSelect={(_, data) => (window.location.hash = `#/${String(data.value)}`)}
            >
              <Tab value="chains">Event chains</Tab>
              <Tab value="pool">Model pool</Tab>
            </TabList>
          )}
          {host && !host.inTeams && (
            <Badge
              color="warning"
              appearance="filled"
              data-testid="local-mode"
              title="Outside Teams: no sign-in; the API answers this machine only."
            >
              local mode
            </Badge>
          )}
        </header>
        {!host ? (
          <Spinner label="Connecting to Teams..." />
        ) : route.page === 'pool' ? (
          <PoolPage />
        ) : route.page === 'config' ? (
          <ConfigPage host={host} route={route} />
        ) : route.page === 'channel' ? (
          <ChannelPage host={host} route={route} />
        ) : (
          <ChainsPage route={route} />
        )}
      </div>
    </FluentProvider>
  );
}
