/**
 * The signals that a chain is a runaway loop, each a pure function of bounded state: the event's
 * depth, repeats of its fingerprint (on its chain, or on its target with no person in between),
 * a chain that keeps coming back to what it already said (cycle), bots alternating on its target
 * (ping-pong), the rate of bot events on its target, a bot answering an act of ours, and a write
 * that repeats one already made. Humans never raise a signal by talking: a busy review is people,
 * not a loop. (An account that acts like a bot is a bot here: actor-behaviour.ts.)
 */
import type { ActorKind, Signal } from '../core/chain-records.js';
import { cycleLookBackMs, type LoopSettings } from './loop-settings.js';
import { repeatRun, windowRepeats, type ChainState, type WindowEntry } from './working-set.js';

const clamp = (x: number) => Math.max(0, Math.min(1, x));

export function depthSignal(depth: number, s: LoopSettings): Signal | undefined {
  const strength = clamp((depth - s.depthSoft) / (s.depthHard - s.depthSoft));
  return strength > 0
    ? { name: 'depth', strength, detail: `${depth} hops from the event that started the chain` }
    : undefined;
}

/**
 * The same thing again from one bot (or from us): on the same chain, or on the same target with no
 * person speaking in between, in conversations (an account recognised as a bot only by its
 * behaviour started its storm as root events). Once is a coincidence, twice is a storm.
 */
export function repeatSignal(
  chain: ChainState,
  recent: readonly WindowEntry[],
  current: WindowEntry,
  now: number,
  s: LoopSettings,
): Signal | undefined {
  if (current.actorKind === 'human') return undefined;
  const since = now - s.repeatWindowMs;
  // On the target only in conversations: CI statuses and pushes repeat their shape by design.
  const onTarget =
    current.conversational && !current.echo ? repeatRun(recent, current, since).count : 0;
  const before = Math.max(chain.seen(current.fingerprint, since), onTarget);
  const strength = clamp(before / 2);
  return strength > 0
    ? {
        name: 'repeat',
        strength,
        detail: `${current.actor ?? 'a bot'} posted the same thing ${before + 1} times on this target in ${Math.max(1, Math.round(s.repeatWindowMs / 60_000))} min`,
      }
    : undefined;
}

/**
 * The chain keeps coming back to what it already said: events that repeat an earlier event of the
 * chain (or of the bots on its target since a person last spoke there), from any of its actors,
 * within the cycle look-back. Three or four bots taking turns with their templates repeat as soon as
 * the circle closes, however slow each turn is.
 */
export function cycleSignal(
  chain: ChainState,
  recent: readonly WindowEntry[],
  current: WindowEntry,
  now: number,
  s: LoopSettings,
): Signal | undefined {
  if (current.actorKind === 'human') return undefined;
  const since = now - cycleLookBackMs(s);
  const onChain = chain.repeats(since) + (chain.seen(current.fingerprint, since) > 0 ? 1 : 0);
  // On the target too, in conversations (CI statuses repeat their shape by design).
  const onTarget =
    current.conversational && !current.echo ? windowRepeats(recent, current, since) : 0;
  const repeats = Math.max(onChain, onTarget);
  const strength = clamp((repeats - 1) / 2);
  return strength > 0
    ? {
        name: 'cycle',
        strength,
        detail: `${repeats} events on this chain repeated earlier ones: it goes round in circles`,
      }
    : undefined;
}

/**
 * Two non-human actors taking turns on one target, each answer quick. Counted backwards from the
 * newest event: A B A B is three alternations. People in a conversation never count.
 */
export function pingPongSignal(
  recent: readonly WindowEntry[],
  current: WindowEntry,
  s: LoopSettings,
): Signal | undefined {
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
  return strength > 0
    ? {
        name: 'ping_pong',
        strength,
        detail: `${alternations} quick turns between ${current.actor} and ${sequence[sequence.length - 2]?.actor} on this target`,
      }
    : undefined;
}

/** Many bot events on one conversation target within the rate window. */
export function rateSignal(
  recent: readonly WindowEntry[],
  current: WindowEntry,
  s: LoopSettings,
): Signal | undefined {
  if (current.actorKind === 'human' || !current.conversational || current.echo) return undefined;
  const since = current.at - s.rateWindowMs;
  const count =
    recent.filter((e) => e.at >= since && e.actorKind !== 'human' && e.conversational && !e.echo)
      .length + 1;
  const strength = clamp((count - s.rateSoft) / (s.rateHard - s.rateSoft));
  return strength > 0
    ? {
        name: 'target_rate',
        strength,
        detail: `${count} bot events on this target in ${Math.round(s.rateWindowMs / 1000)} s`,
      }
    : undefined;
}

/** A write Reynolds would make in answer to a bot (or itself) on a chain where it already wrote. */
export function botReactionSignal(
  chain: ChainState,
  triggerActorKind: ActorKind,
  triggerActor: string | undefined,
  triggerAt?: number,
): Signal | undefined {
  if (triggerActorKind === 'human' || !chain.reynoldsActed) return undefined;
  const actedAt = chain.summary.reynoldsActedAt;
  if (triggerAt !== undefined && actedAt !== undefined && triggerAt <= actedAt) return undefined; // we wrote after it: it cannot be answering us
  return {
    name: 'bot_reaction',
    strength: 1,
    detail: `${triggerActor ?? 'a bot'} answered a write of ours; answering back would start a loop`,
  };
}

/** A write Reynolds already made on this chain. */
export function repeatWriteSignal(
  chain: ChainState,
  writeFingerprint: string,
  describe: string,
): Signal | undefined {
  return chain.wrote(writeFingerprint) !== undefined
    ? { name: 'repeat_write', strength: 1, detail: `${describe} was already done on this chain` }
    : undefined;
}
