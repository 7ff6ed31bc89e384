/** The configured tab's content: the channel's subscriptions and its recent alerts. */
import {
  Badge,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import { api } from '../api';
import type { Route } from '../App';
import type { Host } from '../host';
import { Empty, Failure, Loading, formatTime } from '../states';
import { usePolling } from '../usePolling';
import { ConversationPicker, conversationOf } from './ConversationPicker';
import { SubscriptionList, type SubscriptionView } from './SubscriptionList';

interface Alerts {
  pending: Array<{
    text: string;
    priority: string;
    createdAt: number;
    attempts: number;
    lastError?: string;
  }>;
  threads: Array<{ threadKey: string; startedAt: number }>;
}

export function ChannelPage({ host, route }: { host: Host; route: Route }) {
  const conversationId = conversationOf(host, route);
  return (
    <section>
      <ConversationPicker host={host} route={route} chosen={conversationId} />
      {conversationId ? (
        <ChannelContent conversationId={conversationId} />
      ) : (
        host.inTeams && <Empty title="No channel">Open this tab in a channel or group chat.</Empty>
      )}
    </section>
  );
}

function ChannelContent({ conversationId }: { conversationId: string }) {
  const q = `conversationId=${encodeURIComponent(conversationId)}`;
  const subs = usePolling(
    () => api<{ subscriptions: SubscriptionView[] }>(`/api/subscriptions?${q}`),
    5000,
    [q],
  );
  const alerts = usePolling(() => api<Alerts>(`/api/alerts?${q}`), 3000, [q]);
  return (
    <>
      <Subtitle2 as="h3">Subscriptions</Subtitle2>
      {subs.error && <Failure error={subs.error} retry={subs.reload} />}
      {subs.data ? (
        <SubscriptionList subscriptions={subs.data.subscriptions} />
      ) : (
        !subs.error && <Loading what="subscriptions" />
      )}
      <Subtitle2 as="h3">Recent alerts</Subtitle2>
      {alerts.error && <Failure error={alerts.error} retry={alerts.reload} />}
      {!alerts.data && !alerts.error && <Loading what="alerts" />}
      {alerts.data && alerts.data.pending.length + alerts.data.threads.length === 0 && (
        <Empty title="No alerts yet">
          Alerts appear here when a subscribed repository has news. Nothing is queued and no thread
          was started in the last 30 days.
        </Empty>
      )}
      {alerts.data && alerts.data.pending.length > 0 && (
        <Table aria-label="Alerts waiting to be posted" size="small" data-testid="pending-alerts">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Waiting to be posted</TableHeaderCell>
              <TableHeaderCell>Priority</TableHeaderCell>
              <TableHeaderCell>Since</TableHeaderCell>
              <TableHeaderCell>Attempts</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {alerts.data.pending.map((a) => (
              <TableRow key={`${a.createdAt}-${a.text}`}>
                <TableCell>{a.text}</TableCell>
                <TableCell>
                  <Badge appearance="tint">{a.priority}</Badge>
                </TableCell>
                <TableCell>{formatTime(a.createdAt)}</TableCell>
                <TableCell>
                  {a.attempts}
                  {a.lastError ? ` (${a.lastError})` : ''}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {alerts.data && alerts.data.threads.length > 0 && (
        <Table aria-label="Threads posted" size="small" data-testid="alert-threads">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Thread posted about</TableHeaderCell>
              <TableHeaderCell>Started</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {alerts.data.threads.map((t) => (
              <TableRow key={t.threadKey}>
                <TableCell>{t.threadKey}</TableCell>
                <TableCell>{formatTime(t.startedAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      <Text size={200} block style={{ marginTop: 8 }}>
        Posted alerts are listed by the thread they started (channels keep one thread per PR, issue
        or commit).
      </Text>
    </>
  );
}
