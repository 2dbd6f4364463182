/**
 * The CLI's exit codes, in a module of their own so the subcommands can return them (importing
 * main.ts would run the CLI).
 */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The operation failed; the message ends with the error code. */
  failed: 1,
  /** Bad usage: unknown or contradictory flags, missing arguments. */
  usage: 2,
  /**
   * Cancelled: Ctrl-C, SIGTERM, or a question answered no. One code for both signals: a script
   * tells a cancel from a failure by it; which signal it was is the caller's own knowledge.
   */
  cancelled: 130,
  /** `check`: the sync works, but something needs attention soon (e.g. the PAT expires within --warn-days). */
  checkWarnings: 3,
  /** `check`: something is broken (a finding of severity error); the report names the remedy. */
  checkUnhealthy: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
