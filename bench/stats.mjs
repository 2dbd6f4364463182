// The one statistic every benchmark here prints.

/** The median of the samples (the mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs `fn` once to warm up (unless `warmup` is false), then `runs` times, passing the run's index;
 * returns each run's milliseconds.
 */
export async function timeRuns(fn, runs, { warmup = true } = {}) {
  if (warmup) await fn('warm');
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  return times;
}
