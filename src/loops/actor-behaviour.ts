/**
 * Behaviour, not account type, decides what acts like a bot. GitHub says `User` for anything that
 * authenticates with a personal access token, and much automation does (release scripts, merge
 * queues, self-hosted bots). A `User` account whose recent writes no person could produce is treated
 * as a bot by the loop signals, including chain linking, until it has been quiet for a while.
 *
 * Each rule is a pure function of the account's last ACTS_KEPT authored writes (bounded, so O(1)
 * per event). The thresholds sit well outside what people do, because being wrong costs a person
 * their voice in a conversation (their events would link into a bot's chain):
 *   - machine repeat: the same text on one target 3 times with every gap at most 2 s. Posting a
 *     comment on GitHub is a form submit and a page update; even pasting "/retest" again and
 *     again takes a person several seconds a turn.
 *   - persistent repeat: the same text on one target 6 times within 10 minutes, each time with
 *     nobody else speaking there since its previous one. A person retries a flaky command two or
 *     three times, then asks someone; answering a bot's replies is a conversation, whatever it says.
 *     A sentence (40 characters or more) 4 times within 10 minutes counts even as answers: people
 *     repeat short commands, not sentences.
 *   - rate: 5 authored writes within 10 s, anywhere. Review comments are excluded: a person's review
 *     submits all its inline comments at once.
 *   - typing: 3 writes in a row of at least 200 characters, each at over 40 characters a second
 *     since the writer's previous one (fast typists sustain about 12).
 *   - reply speed: 2 writes in a row of at least 20 characters, each within 2 s of someone else's
 *     event on its target. Reading a message and typing 20 characters takes a person longer.
 *   - metronome: 6 writes whose 5 gaps (10 s to 10 minutes on average) differ by at most 2 s or
 *     10 %: a timer, not a person. Faster cadences are the rate rule's to judge.
 * The same write delivered again (same URL: a redelivery) is not a new write and is not counted.
 */

/** One authored write (comment, opened issue or PR) of an account, as the rules see it. */
export interface ActorAct {
  at: number;
  /** `repo#target`, when the write was on a target. */
  target?: string;
  /** Normalised content (fingerprint.ts) or a hash of it; empty when there was none. */
  content: string;
  /** Characters of the raw content. */
  length: number;
  /** The write's own URL (comment, issue): the same URL again is a redelivery, not a new write. */
  id?: string;
  /** Someone else acted on the target since this account last did: the write answers them. */
  afterOther?: boolean;
  /** Time since someone else's event on the target, when the write answers one. */
  replyGapMs?: number;
}

export const ACTS_KEPT = 8;
/** How long an account stays "acts like a bot" after the last write that showed it. */
export const BOT_LIKE_MEMORY_MS = 10 * 60_000;

const MACHINE_GAP_MS = 2_000;
const MACHINE_REPEATS = 3;
const PERSISTENT_REPEATS = 6;
const PERSISTENT_WINDOW_MS = 10 * 60_000;
const SENTENCE_LENGTH = 40;
const SENTENCE_REPEATS = 4;
const RATE_COUNT = 5;
const RATE_WINDOW_MS = 10_000;
const TYPING_MIN_LENGTH = 200;
const TYPING_CHARS_PER_S = 40;
const TYPING_RUN = 3;
const REPLY_GAP_MS = 2_000;
const REPLY_MIN_LENGTH = 20;
const REPLY_RUN = 2;
const METRONOME_RUN = 6;
const METRONOME_MAX_GAP_MS = 10 * 60_000;
const METRONOME_MIN_MEAN_MS = 10_000;

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * Why `current` (with the account's earlier acts, oldest first) shows the account acting like a
 * bot, in words for the audit; undefined when it looks like a person.
 */
export function botLikeReason(earlier: readonly ActorAct[], current: ActorAct): string | undefined {
  const acts = [...earlier.slice(-(ACTS_KEPT - 1)), current];
  const n = acts.length;

  if (current.content !== '' && current.target !== undefined) {
    const same = acts.filter((a) => a.target === current.target && a.content === current.content);
    const run = same.slice(-MACHINE_REPEATS);
    if (
      run.length === MACHINE_REPEATS &&
      run.every((a, i) => i === 0 || a.at - run[i - 1]!.at <= MACHINE_GAP_MS)
    ) {
      return `posted the same text on ${current.target} ${MACHINE_REPEATS} times in ${seconds(current.at - run[0]!.at)}`;
    }
    const within = same.filter((a) => current.at - a.at <= PERSISTENT_WINDOW_MS);
    const unanswered = within.filter((a) => !a.afterOther);
    const sentences = current.length >= SENTENCE_LENGTH ? within : [];
    const recent =
      unanswered.length >= PERSISTENT_REPEATS
        ? unanswered
        : sentences.length >= SENTENCE_REPEATS
          ? sentences
          : undefined;
    if (recent)
      return `posted the same text on ${current.target} ${recent.length} times in ${Math.ceil((current.at - recent[0]!.at) / 60_000)} min`;
  }

  const burst = acts.filter((a) => current.at - a.at <= RATE_WINDOW_MS);
  if (burst.length >= RATE_COUNT)
    return `${burst.length} writes in ${seconds(current.at - burst[0]!.at)}, faster than anyone types`;

  if (n > TYPING_RUN) {
    const run = acts.slice(-TYPING_RUN);
    const fast = run.every((a, i) => {
      const before = acts[n - TYPING_RUN + i - 1]!;
      const gap = a.at - before.at;
      return (
        a.length >= TYPING_MIN_LENGTH &&
        gap <= 60_000 &&
        a.length * 1000 > TYPING_CHARS_PER_S * Math.max(gap, 1)
      );
    });
    if (fast)
      return `wrote ${run.reduce((sum, a) => sum + a.length, 0)} characters in ${TYPING_RUN} writes at over ${TYPING_CHARS_PER_S} a second`;
  }

  const quick = acts.slice(-REPLY_RUN);
  if (
    quick.length === REPLY_RUN &&
    quick.every(
      (a) =>
        a.replyGapMs !== undefined && a.replyGapMs <= REPLY_GAP_MS && a.length >= REPLY_MIN_LENGTH,
    )
  ) {
    return `answered ${REPLY_RUN} times in a row within ${seconds(REPLY_GAP_MS)} with ${Math.min(...quick.map((a) => a.length))}+ characters`;
  }

  if (n >= METRONOME_RUN) {
    const run = acts.slice(-METRONOME_RUN);
    const gaps = run.slice(1).map((a, i) => a.at - run[i]!.at);
    const mean = gaps.reduce((sum, g) => sum + g, 0) / gaps.length;
    const spread = Math.max(...gaps) - Math.min(...gaps);
    if (
      Math.max(...gaps) <= METRONOME_MAX_GAP_MS &&
      mean >= METRONOME_MIN_MEAN_MS &&
      spread <= Math.max(2_000, 0.1 * mean)
    ) {
      return `${METRONOME_RUN} writes ${seconds(mean)} apart like clockwork`;
    }
  }
  return undefined;
}

/** The account's recent acts and whether (and why) it acts like a bot, bounded. */
export class ActorHistory {
  readonly acts: ActorAct[] = [];
  botLike?: { reason: string; until: number };

  /** Records `act`; returns why the account acts like a bot now, if it does. */
  observe(act: ActorAct): string | undefined {
    if (act.id !== undefined && this.acts.some((a) => a.id === act.id)) {
      return this.botLike && act.at <= this.botLike.until ? this.botLike.reason : undefined;
    }
    const reason = botLikeReason(this.acts, act);
    this.acts.push(act);
    if (this.acts.length > ACTS_KEPT) this.acts.shift();
    if (reason) this.botLike = { reason, until: act.at + BOT_LIKE_MEMORY_MS };
    return (
      reason ?? (this.botLike && act.at <= this.botLike.until ? this.botLike.reason : undefined)
    );
  }
}
