/**
 * Which channel or chat a configuration or content page is about. In Teams, the one the tab is in;
 * outside Teams (local mode), one of the conversations Reynolds is installed in, picked here and
 * kept in the hash (?conversationId=...).
 */
import { Field, Select } from '@fluentui/react-components';
import { api } from '../api';
import type { Route } from '../App';
import type { Host } from '../host';
import { Empty, Failure, Loading } from '../states';
import { usePolling } from '../usePolling';

interface Known {
  conversationId: string;
  scope: string;
  name?: string;
}

export function conversationOf(host: Host, route: Route): string | undefined {
  return host.conversationId ?? route.params.get('conversationId') ?? undefined;
}

export function ConversationPicker({
  host,
  route,
  chosen,
}: {
  host: Host;
  route: Route;
  chosen?: string;
}) {
  const polled = usePolling(
    () => api<{ conversations: Known[] }>('/api/conversations'),
    10_000,
    [],
  );
  if (host.inTeams) return null;
  if (!polled.data)
    return polled.error ? (
      <Failure error={polled.error} retry={polled.reload} />
    ) : (
      <Loading what="conversations" />
    );
  const channels = polled.data.conversations.filter((c) => c.scope !== 'personal');
  if (channels.length === 0) {
    return (
      <Empty title="Reynolds is in no channel or group chat yet">
        Add Reynolds to a team or group chat (or, locally, message it from the Agents Playground),
        then reload this page.
      </Empty>
    );
  }
  const choose = (conversationId: string) => {
    const params = new URLSearchParams(route.params);
    if (conversationId) params.set('conversationId', conversationId);
    else params.delete('conversationId');
    window.location.hash = `#/${route.page}?${params}`;
  };
  return (
    <Field
      label="Conversation (local mode: pick which one to configure)"
      style={{ marginBottom: 12 }}
    >
      <Select
        value={chosen ?? ''}
        onChange={(_, d) => choose(d.value)}
        data-testid="conversation-picker"
      >
        <option value="">choose a channel or chat...</option>
        {channels.map((c) => (
          <option key={c.conversationId} value={c.conversationId}>
            {c.name ?? c.conversationId} ({c.scope})
          </option>
        ))}
      </Select>
    </Field>
  );
}
