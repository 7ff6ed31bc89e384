/** Personal tab, event chains: the recent chains (filterable, live) and one chain opened. */
import {
  Badge,
  Field,
  Input,
  Link,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ChainSummary } from '../../../src/core/chain-records';
import { api } from '../api';
import type { Route } from '../App';
import { Empty, Failure, Loading, formatTime } from '../states';
import { usePolling } from '../usePolling';
import { VERDICT_BADGE } from '../verdicts';
import { ChainDetail } from './ChainDetail';

const REFRESH_MS = 3000;

export function ChainsPage({ route }: { route: Route }) {
  const chainId = route.rest[0];
  if (chainId) return <ChainDetail chainId={chainId} />;
  return <ChainList />;
}

function ChainList() {
  const [repo, setRepo] = useState('');
  const [verdict, setVerdict] = useState('');
  const repoFilter = /^[^/\s]+\/[^/\s]+$/.test(repo.trim()) ? repo.trim() : '';
  const polled = usePolling(
    () => {
      const query = new URLSearchParams({ limit: '100' });
      if (repoFilter) query.set('repo', repoFilter);
      if (verdict) query.set('verdict', verdict);
      return api<{ chains: ChainSummary[] }>(`/api/chains?${query}`);
    },
    REFRESH_MS,
    [repoFilter, verdict],
  );
  const filtered = repo.trim() !== '' || verdict !== '';
  return (
    <section>
      <div style={{ display: 'flex', gap: 12, marginBottom: 12 }}>
        <Field label="Repository" hint={repo.trim() && !repoFilter ? 'owner/name' : undefined}>
          <Input
            value={repo}
            onChange={(_, d) => setRepo(d.value)}
            placeholder="owner/name"
            data-testid="filter-repo"
          />
        </Field>
        <Field label="Verdict">
          <Select
            value={verdict}
            onChange={(_, d) => setVerdict(d.value)}
            data-testid="filter-verdict"
          >
            <option value="">any</option>
            <option value="proceed">proceed</option>
            <option value="dampen">dampen</option>
            <option value="break">break</option>
          </Select>
        </Field>
      </div>
      {polled.error && <Failure error={polled.error} retry={polled.reload} />}
      {!polled.data && polled.loading && <Loading what="chains" />}
      {polled.data &&
        polled.data.chains.length === 0 &&
        (filtered ? (
          <Empty title="No chains match">
            Clear the repository or verdict filter to see every recent chain.
          </Empty>
        ) : (
          <Empty title="No chains yet">
            Post a GitHub webhook to /api/github/webhook (or run npm run simulate) and chains appear
            here within seconds.
          </Empty>
        ))}
      {polled.data && polled.data.chains.length > 0 && (
        <Table aria-label="Recent event chains" data-testid="chains-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Chain</TableHeaderCell>
              <TableHeaderCell>Repository</TableHeaderCell>
              <TableHeaderCell>Depth</TableHeaderCell>
              <TableHeaderCell>Loop score</TableHeaderCell>
              <TableHeaderCell>Verdict</TableHeaderCell>
              <TableHeaderCell>Updated</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {polled.data.chains.map((chain) => (
              <TableRow key={chain.chainId} data-testid="chain-row" data-chain={chain.chainId}>
                <TableCell>
                  <Link href={`#/chains/${encodeURIComponent(chain.chainId)}`}>{chain.root}</Link>
                </TableCell>
                <TableCell>{chain.repo ?? '-'}</TableCell>
                <TableCell>{chain.depth}</TableCell>
                <TableCell>{chain.score.toFixed(2)}</TableCell>
                <TableCell>
                  <Badge appearance="tint" color={VERDICT_BADGE[chain.verdict]}>
                    {chain.verdict}
                  </Badge>
                </TableCell>
                <TableCell>{formatTime(chain.updatedAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  );
}
