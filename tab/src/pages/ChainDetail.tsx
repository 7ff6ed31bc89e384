/** One chain: its picture, the signals that scored it and its audit trail. */
import {
  Badge,
  Link,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import type { AuditEntry, ChainNode, ChainSummary } from '../../../src/core/chain-records';
import { api } from '../api';
import { Empty, Failure, Loading, formatTime } from '../states';
import { usePolling } from '../usePolling';
import { VERDICT_BADGE } from '../verdicts';
import { ChainPicture } from './ChainPicture';

interface ChainAnswer {
  chain: ChainSummary;
  nodes: ChainNode[];
  edges: Array<{ from: string; to: string; link: string }>;
  audit: AuditEntry[];
  truncated: boolean;
}

export function ChainDetail({ chainId }: { chainId: string }) {
  const polled = usePolling(
    () => api<ChainAnswer>(`/api/chains/${encodeURIComponent(chainId)}`),
    5000,
    [chainId],
  );
  const back = <Link href="#/chains">← All chains</Link>;
  if (!polled.data)
    return (
      <section>
        {back}
        {polled.error ? (
          <Failure error={polled.error} retry={polled.reload} />
        ) : (
          <Loading what="the chain" />
        )}
      </section>
    );
  const { chain, nodes, edges, audit, truncated } = polled.data;
  const scored = nodes.filter((n) => n.signals.length > 0);
  return (
    <section data-testid="chain-detail">
      {back}
      <h2 style={{ marginBottom: 4 }}>{chain.root}</h2>
      <Text>
        {chain.repo ?? 'no repository'} · depth {chain.depth} · {chain.nodes} nodes · score{' '}
        {chain.score.toFixed(2)} ·{' '}
        <Badge appearance="filled" color={VERDICT_BADGE[chain.verdict]} data-testid="chain-verdict">
          {chain.verdict}
        </Badge>
        {chain.reason ? ` · ${chain.reason}` : ''}
      </Text>
      {truncated && (
        <Empty title="Only the first nodes are shown">
          This chain is longer than the tab draws; its verdict and score cover all of it.
        </Empty>
      )}
      <ChainPicture nodes={nodes} edges={edges} />
      <Subtitle2 as="h3">Signals</Subtitle2>
      {scored.length === 0 ? (
        <Text block>No loop signals: nothing in this chain looked like a loop.</Text>
      ) : (
        <Table aria-label="Signals" size="small" data-testid="signals">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Node</TableHeaderCell>
              <TableHeaderCell>Signal</TableHeaderCell>
              <TableHeaderCell>Strength</TableHeaderCell>
              <TableHeaderCell>Why</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {scored.flatMap((node) =>
              node.signals.map((signal) => (
                <TableRow key={`${node.nodeId}-${signal.name}`}>
                  <TableCell>{node.summary}</TableCell>
                  <TableCell>{signal.name}</TableCell>
                  <TableCell>{signal.strength.toFixed(2)}</TableCell>
                  <TableCell>{signal.detail}</TableCell>
                </TableRow>
              )),
            )}
          </TableBody>
        </Table>
      )}
      <Subtitle2 as="h3">Audit trail</Subtitle2>
      {audit.length === 0 ? (
        <Text block>
          No audit entries: Reynolds neither acted nor changed its verdict on this chain.
        </Text>
      ) : (
        <Table aria-label="Audit trail" size="small" data-testid="audit">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Who</TableHeaderCell>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>Verdict</TableHeaderCell>
              <TableHeaderCell>Detail</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {audit.map((entry) => (
              <TableRow key={entry.id}>
                <TableCell>{formatTime(entry.at)}</TableCell>
                <TableCell>{entry.who}</TableCell>
                <TableCell>{entry.what}</TableCell>
                <TableCell>{entry.verdict}</TableCell>
                <TableCell>{entry.detail}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
