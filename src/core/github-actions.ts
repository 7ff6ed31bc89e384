/**
 * The writes Reynolds can make on GitHub, as the core sees them. The Octokit adapter
 * (src/github/octokit-actions.ts) implements it; nothing calls it except through the write guard
 * (src/loops/guarded-github.ts).
 */
export type ReviewEvent = 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT';

export interface GitHubActions {
  /** Comments on an issue or pull request; returns the new comment's id and page. */
  comment(repo: string, number: number, body: string): Promise<{ id: number; url?: string }>;
  addLabels(repo: string, number: number, labels: string[]): Promise<void>;
  removeLabel(repo: string, number: number, label: string): Promise<void>;
  /** Closes or reopens an issue or pull request. */
  setState(repo: string, number: number, state: 'open' | 'closed'): Promise<void>;
  review(repo: string, number: number, event: ReviewEvent, body?: string): Promise<void>;
}
