/** p50 and p95 latency of one role over the pool's recent history, as two SVG polylines. */
import { tokens } from '@fluentui/react-components';
import type { PoolSnapshot } from '../../../src/models/model-pool';

const WIDTH = 320;
const HEIGHT = 90;
const PAD = 24;

export function LatencyChart({ points }: { points: PoolSnapshot['history'] }) {
  const measured = points.filter((p) => p.p95Ms !== null || p.p50Ms !== null);
  if (measured.length === 0)
    return <div data-testid="latency-empty">No answers yet, so no latency to chart.</div>;
  const first = measured[0]!.at;
  const last = measured.at(-1)!.at;
  const span = Math.max(1, last - first);
  const top = Math.max(1, ...measured.map((p) => p.p95Ms ?? p.p50Ms ?? 0));
  const x = (at: number) => PAD + ((at - first) / span) * (WIDTH - PAD * 2);
  const y = (ms: number) => HEIGHT - PAD / 2 - (ms / top) * (HEIGHT - PAD * 1.5);
  const line = (pick: (p: (typeof measured)[number]) => number | null) =>
    measured
      .filter((p) => pick(p) !== null)
      .map((p) => `${x(p.at).toFixed(1)},${y(pick(p)!).toFixed(1)}`)
      .join(' ');
  return (
    <svg
      width={WIDTH}
      height={HEIGHT}
      role="img"
      aria-label="Latency p50 and p95 over time"
      data-testid="latency-chart"
    >
      <line
        x1={PAD}
        x2={WIDTH - PAD}
        y1={HEIGHT - PAD / 2}
        y2={HEIGHT - PAD / 2}
        stroke={tokens.colorNeutralStroke1}
      />
      <text x={2} y={12} fontSize={10} fill={tokens.colorNeutralForeground3}>
        {Math.round(top)} ms
      </text>
      <polyline
        points={line((p) => p.p50Ms)}
        fill="none"
        stroke={tokens.colorPaletteBlueForeground2}
        strokeWidth={2}
      />
      <polyline
        points={line((p) => p.p95Ms)}
        fill="none"
        stroke={tokens.colorPaletteMarigoldForeground1}
        strokeWidth={2}
        strokeDasharray="4 2"
      />
      <text
        x={WIDTH - PAD}
        y={12}
        fontSize={10}
        textAnchor="end"
        fill={tokens.colorNeutralForeground3}
      >
        — p50 - - p95
      </text>
    </svg>
  );
}
