/**
 * A chain drawn as inline SVG: one column per node in time order, one row per depth, an arrow from
 * each node to the one it caused. Events are circles, Reynolds's acts are squares; the colour is
 * the node's verdict. Plain SVG: a chart library would outweigh the tab for one small picture.
 */
import { tokens } from '@fluentui/react-components';
import type { ChainNode } from '../../../src/core/chain-records';
import { VERDICT_COLOUR } from '../verdicts';

const COLUMN = 110;
const ROW = 70;
const RADIUS = 16;
const MARGIN = 30;

export function ChainPicture({
  nodes,
  edges,
}: {
  nodes: ChainNode[];
  edges: Array<{ from: string; to: string; link: string }>;
}) {
  const position = new Map(
    nodes.map((node, index) => [
      node.nodeId,
      { x: MARGIN + index * COLUMN + RADIUS, y: MARGIN + node.depth * ROW + RADIUS },
    ]),
  );
  const maxDepth = Math.max(0, ...nodes.map((n) => n.depth));
  const width = MARGIN * 2 + Math.max(1, nodes.length) * COLUMN;
  const height = MARGIN * 2 + (maxDepth + 1) * ROW;
  return (
    <div style={{ overflowX: 'auto', margin: '12px 0' }}>
      <svg
        width={width}
        height={height}
        role="img"
        aria-label={`Chain of ${nodes.length} nodes`}
        data-testid="chain-picture"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill={tokens.colorNeutralForeground3} />
          </marker>
        </defs>
        {edges.map((edge) => {
          const from = position.get(edge.from);
          const to = position.get(edge.to);
          if (!from || !to) return null;
          const angle = Math.atan2(to.y - from.y, to.x - from.x);
          return (
            <g key={`${edge.from}-${edge.to}`}>
              <line
                x1={from.x + Math.cos(angle) * RADIUS}
                y1={from.y + Math.sin(angle) * RADIUS}
                x2={to.x - Math.cos(angle) * RADIUS}
                y2={to.y - Math.sin(angle) * RADIUS}
                stroke={tokens.colorNeutralForeground3}
                strokeWidth={1.5}
                markerEnd="url(#arrow)"
              />
              <text
                x={(from.x + to.x) / 2}
                y={(from.y + to.y) / 2 - 4}
                fontSize={10}
                textAnchor="middle"
                fill={tokens.colorNeutralForeground3}
              >
                {edge.link}
              </text>
            </g>
          );
        })}
        {nodes.map((node) => {
          const at = position.get(node.nodeId)!;
          const colour = VERDICT_COLOUR[node.verdict];
          return (
            <g
              key={node.nodeId}
              data-testid="chain-node"
              data-kind={node.kind}
              data-verdict={node.verdict}
            >
              <title>{`${node.summary}\n${new Date(node.at).toISOString()} · score ${node.score.toFixed(2)} · ${node.verdict}`}</title>
              {node.kind === 'act' ? (
                <rect
                  x={at.x - RADIUS}
                  y={at.y - RADIUS}
                  width={RADIUS * 2}
                  height={RADIUS * 2}
                  rx={4}
                  fill={colour}
                />
              ) : (
                <circle cx={at.x} cy={at.y} r={RADIUS} fill={colour} />
              )}
              <text
                x={at.x}
                y={at.y + 4}
                fontSize={11}
                textAnchor="middle"
                fill={tokens.colorNeutralForegroundInverted}
              >
                {node.depth}
              </text>
              <text
                x={at.x}
                y={at.y + RADIUS + 14}
                fontSize={10}
                textAnchor="middle"
                fill={tokens.colorNeutralForeground1}
              >
                {(node.actor ?? node.kind).slice(0, 16)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
