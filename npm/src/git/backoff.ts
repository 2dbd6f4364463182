/**
 * The wait between push retries: "full jitter" below a ceiling that doubles per retry. Racing
 * bootstraps that all lost to the same winner would collide again if they waited the same time;
 * drawing the wait uniformly spreads them, and the doubling keeps a crowd from hammering the
 * server. The numbers are the core's (`defaults().pushBackoffMs` / `pushBackoffMaxMs`).
 */
export interface Backoff {
  /** The first retry's ceiling (ms). */
  baseMs: number;
  /** The ceiling's upper bound (ms). */
  maxMs: number;
}

/**
 * The wait before retry number `attempt` (1 = after the first rejected push), in whole ms.
 * `pushMs`, how long the rejected push took, raises the base: racers must spread over a few
 * push durations to stop colliding, and a slow server makes a push last longer than the base.
 */
export function backoffMs(backoff: Backoff, attempt: number, random: () => number = Math.random, pushMs = 0): number {
  const base = Math.max(backoff.baseMs, pushMs);
  const ceiling = Math.min(backoff.maxMs, base * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
