/** The ticker asks the stage to tick for its tenant, keeps going after a failed tick, and stops. */
import assert from 'node:assert/strict';
import { OrchestrationTicker } from '../../src/orchestration/orchestration-ticker.js';

describe('orchestration ticker', function () {
  it('ticks for its tenant until stopped, reporting a failed tick and carrying on', async function () {
    const tenants: string[] = [];
    const errors: unknown[] = [];
    let enough: () => void = () => undefined;
    const ticked = new Promise<void>((resolve) => (enough = resolve));
    const ticker = new OrchestrationTicker(
      {
        tick: async (tenantId: string) => {
          tenants.push(tenantId);
          if (tenants.length === 1) throw new Error('store down');
          if (tenants.length === 3) enough();
          return [];
        },
      },
      'tenant-t',
      (error) => errors.push(error),
      1,
    );
    ticker.start();
    await ticked;
    await ticker.stop(1_000);
    const after = tenants.length;
    assert.deepEqual(new Set(tenants), new Set(['tenant-t']));
    assert.equal((errors[0] as Error).message, 'store down');
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(tenants.length, after, 'no tick after stop');
  });
});
