/**
 * Portfolio scopes: every repository is in its organisation's scope (`org:acme`), and in any named
 * set of repositories someone defined (`portfolio define platform acme/api acme/web`), which can
 * carry its own intervention thresholds. Named sets are `portfolio_scope` records per tenant; a set
 * counts events from its definition on (the day buckets are written as events pass).
 */
import type { Store } from '../store/store.js';
import type { InterventionThresholds } from './intervention-rules.js';

export interface NamedScope {
  name: string;
  repos: string[];
  thresholds?: Partial<InterventionThresholds>;
}

/** A tenant rarely has more; past it the oldest definitions are not read. */
const SCOPE_LIMIT = 500;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REPO = /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/;

export class InvalidScopeError extends Error {
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidScopeError';
  }
}

export class PortfolioScopes {
  constructor(private readonly store: Store) {}

  async define(tenantId: string, scope: NamedScope): Promise<NamedScope> {
    if (!NAME.test(scope.name) || scope.name.startsWith('org:'))
      throw new InvalidScopeError(
        `a scope name is letters, digits, '.', '_' or '-' (at most 64), not ${JSON.stringify(scope.name)}`,
      );
    const bad = scope.repos.filter((repo) => !REPO.test(repo));
    if (scope.repos.length === 0 || bad.length > 0)
      throw new InvalidScopeError(
        bad.length > 0
          ? `not owner/repo: ${bad.join(', ')}`
          : 'name at least one repository as owner/repo',
      );
    const data: NamedScope = {
      ...scope,
      name: scope.name.toLowerCase(),
      repos: [...new Set(scope.repos.map((repo) => repo.toLowerCase()))],
    };
    await this.store.putRecord({
      kind: 'portfolio_scope',
      tenantId,
      partition: tenantId,
      id: data.name,
      data,
    });
    return data;
  }

  async named(tenantId: string): Promise<NamedScope[]> {
    return (
      await this.store.queryRecords<NamedScope>({
        kind: 'portfolio_scope',
        tenantId,
        partition: tenantId,
        limit: SCOPE_LIMIT,
      })
    ).map((record) => record.data);
  }

  /** The scopes one repository's events count in, with the thresholds of the first named one that sets them. */
  async of(
    tenantId: string,
    repo: string,
  ): Promise<{ scopes: string[]; thresholds: Partial<InterventionThresholds> }> {
    const lower = repo.toLowerCase();
    const named = (await this.named(tenantId)).filter((scope) => scope.repos.includes(lower));
    return {
      scopes: [`org:${lower.split('/')[0]}`, ...named.map((scope) => scope.name)],
      thresholds: Object.assign(
        {},
        ...named.map((scope) => scope.thresholds ?? {}).reverse(),
      ) as Partial<InterventionThresholds>,
    };
  }
}
