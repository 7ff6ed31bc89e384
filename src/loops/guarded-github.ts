/**
 * GitHub writes through the write guard: the only way the rest of Reynolds writes to GitHub.
 * Each call names the chain node it answers (the trigger); the guard decides, marks or announces
 * the write, and records it.
 */
import type { GitHubActions, ReviewEvent } from '../core/github-actions.js';
import type { GuardOutcome, WriteGuard, WriteIntent, WriteTrigger } from './write-guard.js';

/** Optional per-call details: the identity of a person's request (see WriteIntent.requestKey). */
export interface WriteOptions {
  requestKey?: string;
}

export class GuardedGitHub {
  constructor(
    private readonly guard: WriteGuard,
    private readonly github: GitHubActions,
    private readonly tenantId: string,
  ) {}

  comment(
    trigger: WriteTrigger,
    who: string,
    repo: string,
    number: number,
    body: string,
    options: WriteOptions = {},
  ): Promise<GuardOutcome<{ id: number; url?: string }>> {
    return this.guard.perform(
      this.intent(trigger, who, 'comment', repo, number, body, options),
      (permit) => this.github.comment(repo, number, permit.markedText ?? body),
    );
  }

  addLabel(
    trigger: WriteTrigger,
    who: string,
    repo: string,
    number: number,
    label: string,
  ): Promise<GuardOutcome<void>> {
    return this.guard.perform(this.intent(trigger, who, 'label_add', repo, number, label), () =>
      this.github.addLabels(repo, number, [label]),
    );
  }

  removeLabel(
    trigger: WriteTrigger,
    who: string,
    repo: string,
    number: number,
    label: string,
  ): Promise<GuardOutcome<void>> {
    return this.guard.perform(this.intent(trigger, who, 'label_remove', repo, number, label), () =>
      this.github.removeLabel(repo, number, label),
    );
  }

  setState(
    trigger: WriteTrigger,
    who: string,
    repo: string,
    number: number,
    state: 'open' | 'closed',
    options: WriteOptions = {},
  ): Promise<GuardOutcome<void>> {
    return this.guard.perform(
      this.intent(
        trigger,
        who,
        state === 'closed' ? 'close' : 'reopen',
        repo,
        number,
        state,
        options,
      ),
      () => this.github.setState(repo, number, state),
    );
  }

  review(
    trigger: WriteTrigger,
    who: string,
    repo: string,
    number: number,
    event: ReviewEvent,
    body?: string,
    options: WriteOptions = {},
  ): Promise<GuardOutcome<void>> {
    return this.guard.perform(
      this.intent(trigger, who, 'review', repo, number, event, options),
      (permit) =>
        this.github.review(repo, number, event, `${body ?? ''}\n\n${permit.marker ?? ''}`.trim()),
    );
  }

  private intent(
    trigger: WriteTrigger,
    who: string,
    kind: WriteIntent['kind'],
    repo: string,
    number: number,
    detail: string,
    options: WriteOptions = {},
  ): WriteIntent {
    return {
      tenantId: this.tenantId,
      kind,
      repo,
      target: `#${number}`,
      detail,
      who,
      trigger,
      ...(options.requestKey !== undefined && { requestKey: options.requestKey }),
    };
  }
}
