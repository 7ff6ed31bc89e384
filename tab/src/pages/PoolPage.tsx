/** Personal tab, model pool: per role and deployment, load, latency, errors, breakers, tokens, cost; and the pilot. */
import {
  Badge,
  Card,
  CardHeader,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import type { BreakerState, PoolSnapshot } from '../../../src/models/model-pool';
import { api } from '../api';
import { Empty, Failure, Loading } from '../states';
import { usePolling } from '../usePolling';
import { LatencyChart } from './LatencyChart';

const BREAKER_BADGE: Record<BreakerState, 'success' | 'warning' | 'danger'> = {
  closed: 'success',
  'half-open': 'warning',
  open: 'danger',
};
const ms = (value: number | null) => (value === null ? '-' : `${Math.round(value)} ms`);

export function PoolPage() {
  const polled = usePolling(() => api<PoolSnapshot>('/api/pool'), 3000, []);
  if (!polled.data)
    return polled.error ? (
      <Failure error={polled.error} retry={polled.reload} />
    ) : (
      <Loading what="the model pool" />
    );
  const pool = polled.data;
  return (
    <section data-testid="pool">
      {polled.error && <Failure error={polled.error} retry={polled.reload} />}
      <Pilot pool={pool} />
      {!pool.configured || pool.roles.length === 0 ? (
        <Empty title="No models configured">
          Enrichment is off and chat uses the offline planner. Configure model deployments (Azure
          OpenAI or GitHub Models; see the README's model pool section) and restart Reynolds.
        </Empty>
      ) : (
        <>
          <Text block>
            Concurrency: {pool.concurrency.inFlight} in flight, {pool.concurrency.queued} queued,
            limit {pool.concurrency.limit}
          </Text>
          {pool.roles.map((role) => (
            <Card
              key={role.role}
              style={{ margin: '12px 0' }}
              data-testid="pool-role"
              data-role={role.role}
            >
              <CardHeader
                header={<strong>{role.role}</strong>}
                description={`${role.inFlight} in flight · ${role.queued} queued`}
              />
              {/* A role nobody serves has no latency to chart either: one line says so. */}
              {role.deployments.length > 0 && (
                <LatencyChart points={pool.history.filter((p) => p.role === role.role)} />
              )}
              {role.deployments.length === 0 ? (
                <Text>No deployment serves this role.</Text>
              ) : (
                <Table aria-label={`${role.role} deployments`} size="small">
                  <TableHeader>
                    <TableRow>
                      {[
                        'Deployment',
                        'Model',
                        'In flight',
                        'p50',
                        'p95',
                        'Requests',
                        'Errors',
                        'Breaker',
                        'Tokens (in/out)',
                        'Cost',
                      ].map((h) => (
                        <TableHeaderCell key={h}>{h}</TableHeaderCell>
                      ))}
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {role.deployments.map((d) => (
                      <TableRow key={d.name} data-testid="deployment">
                        <TableCell>
                          {d.name}{' '}
                          <Text size={200}>
                            ({d.provider}, weight {d.weight})
                          </Text>
                        </TableCell>
                        <TableCell>{d.model}</TableCell>
                        <TableCell>{d.inFlight}</TableCell>
                        <TableCell>{ms(d.p50Ms)}</TableCell>
                        <TableCell>{ms(d.p95Ms)}</TableCell>
                        <TableCell>{d.requests}</TableCell>
                        <TableCell>{d.errors}</TableCell>
                        <TableCell>
                          <Badge
                            appearance="tint"
                            color={BREAKER_BADGE[d.breaker]}
                            data-testid="breaker"
                          >
                            {d.breaker}
                          </Badge>
                        </TableCell>
                        <TableCell>
                          {d.tokens.prompt} / {d.tokens.completion}
                        </TableCell>
                        <TableCell>${d.costUsd.toFixed(4)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </Card>
          ))}
        </>
      )}
    </section>
  );
}

function Pilot({ pool }: { pool: PoolSnapshot }) {
  const { stagePercent, allow, deny } = pool.pilot;
  return (
    <Card style={{ marginBottom: 12 }} data-testid="pilot">
      <CardHeader header={<strong>Pilot: {stagePercent}% of tenant and repository pairs</strong>} />
      <Text>Always in: {allow.length > 0 ? allow.join(', ') : 'nobody listed'}</Text>
      <Text>Always out: {deny.length > 0 ? deny.join(', ') : 'nobody listed'}</Text>
    </Card>
  );
}
