/**
 * The signals that a chain is a runaway loop, each a pure function of bounded state: the event's
 * depth, repeats of its fingerprint on its chain, bots alternating on its target (ping-pong), the
 * rate of bot events on its target, a bot answering an act of ours, and a write that repeats one
 * already made. Humans never raise a signal by talking: a busy review is people, not a loop.
 */
import type { ActorKind, Signal } from '../core/chain-records.js';
import type { LoopSettings } from './loop-settings.js';
import type { ChainState, WindowEntry } from './working-set.js';

const clamp = (x: number) => Math.max(0, Math.min(1, x));

export function depthSignal(depth: number, s: LoopSettings): Signal | undefined {
  const strength = clamp((depth - s.depthSoft) / (s.depthHard - s.depthSoft));
  return strength > 0 ? { name: 'depth', strength, detail: `${depth} hops from the event that started the chain` } : undefined;
}

/** The same thing again on the same chain, from a bot or from us. */
export function repeatSignal(chain: ChainState, fingerprint: string, actorKind: ActorKind, now: number, s: LoopSettings): Signal | undefined {
  if (actorKind === 'human') return undefined;
  const before = chain.seen(fingerprint, now - s.repeatWindowMs);
  const strength = clamp(before / 2);
  return strength > 0 ? { name: 'repeat', strength, detail: `the same event seen ${before} time${before === 1 ? '' : 's'} before on this chain in ${Math.round(s.repeatWindowMs / 60_000)} min` } : undefined;
}

/**
 * Two non-human actors taking turns on one target, each answer quick. Counted backwards from the
 * newest event: A B A B is three alternations. People in a conversation never count.
 */
export function pingPongSignal(recent: readonly WindowEntry[], current: WindowEntry, s: LoopSettings): Signal | undefined {
  if (current.actorKind === 'human' || !current.conversational || current.echo) return undefined;
  const sequence = [...recent.filter((e) => !e.echo), current];
  let alternations = 0;
  let a = current.actor;
  let b: string | undefined;
  for (let i = sequence.length - 1; i > 0; i -= 1) {
    const later = sequence[i]!;
    const earlier = sequence[i - 1]!;
    if (earlier.actorKind === 'human' || !earlier.conversational) break;
    if (later.at - earlier.at > s.pingPongGapMs) break;
    if (earlier.actor === later.actor) break;
    if (b === undefined) b = earlier.actor;
    else if (earlier.actor !== a && earlier.actor !== b) break; // a third party: not a two-way loop
    alternations += 1;
    [a, b] = [b, a];
  }
  const strength = clamp((alternations - 1) / 2);
  return strength > 0 ? { name: 'ping_pong', strength, detail: `${alternations} quick turns between ${current.actor} and ${sequence[sequence.length - 2]?.actor} on this target` } : undefined;
}

/** Many bot events on one conversation target within the rate window. */
export function rateSignal(recent: readonly WindowEntry[], current: WindowEntry, s: LoopSettings): Signal | undefined {
  if (current.actorKind === 'human' || !current.conversational || current.echo) return undefined;
  const since = current.at - s.rateWindowMs;
  const count = recent.filter((e) => e.at >= since && e.actorKind !== 'human' && e.conversational && !e.echo).length + 1;
  const strength = clamp((count - s.rateSoft) / (s.rateHard - s.rateSoft));
  return strength > 0 ? { name: 'target_rate', strength, detail: `${count} bot events on this target in ${Math.round(s.rateWindowMs / 1000)} s` } : undefined;
}

/** A write Reynolds would make in answer to a bot (or itself) on a chain where it already wrote. */
export function botReactionSignal(chain: ChainState, triggerActorKind: ActorKind, triggerActor: string | undefined, triggerAt?: number): Signal | undefined {
  if (triggerActorKind === 'human' || !chain.reynoldsActed) return undefined;
  const actedAt = chain.summary.reynoldsActedAt;
  if (triggerAt !== undefined && actedAt !== undefined && triggerAt <= actedAt) return undefined; // we wrote after it: it cannot be answering us
  return { name: 'bot_reaction', strength: 1, detail: `${triggerActor ?? 'a bot'} answered a write of ours; answering back would start a loop` };
}

/** A write Reynolds already made on this chain. */
export function repeatWriteSignal(chain: ChainState, writeFingerprint: string, describe: string): Signal | undefined {
  return chain.wrote(writeFingerprint) !== undefined ? { name: 'repeat_write', strength: 1, detail: `${describe} was already done on this chain` } : undefined;
}
