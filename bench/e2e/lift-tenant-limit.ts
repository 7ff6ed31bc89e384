/**
 * Diagnosis only (`bench/e2e/run.ts --lift-tenant-limit`), `--import`ed into the Reynolds child:
 * gives every conversation its own per-tenant bucket, as if each channel were in a tenant of its
 * own. The per-channel windows and everything else stay as shipped. It answers "what would the
 * latency be if the 50 posts/s per tenant did not bind?", which tells the limit apart from the
 * rest of the path; it is never how Reynolds runs against Teams.
 */
import { TeamsRateLimits } from '../../src/teams/sending/teams-rate-limits.js';

const tryTake = TeamsRateLimits.prototype.tryTake;
TeamsRateLimits.prototype.tryTake = function (
  this: TeamsRateLimits,
  tenantId: string,
  conversationId: string,
): boolean {
  return tryTake.call(this, `${tenantId}|${conversationId}`, conversationId);
};
