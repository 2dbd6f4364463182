// The runner every comparing benchmark here shares: cases interleaved round by round (so the load
// of a shared machine falls on all of them alike) after one warm-up round, processes timed from
// spawn to exit, and the peak memory of a process tree sampled from /proc.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

import { median } from './stats.mjs';

export { median };

/**
 * Runs `cases` ({ name: async (round) => metrics }) `runs` times each, interleaved, after one
 * warm-up round (round -1, not recorded). A case returns an object of numbers (`{ ms }`, plus
 * whatever else it measures) and may add `out`, the last of which is kept per case.
 * Returns `{ samples: { name: { metric: number[] } }, medians: { name: { metric } }, outputs }`.
 */
export async function interleave(cases, runs, { warmup = true } = {}) {
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, {}]));
  const outputs = {};
  for (let round = warmup ? -1 : 0; round < runs; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      const { out, ...metrics } = await fn(round);
      if (out !== undefined) outputs[name] = out;
      if (round < 0) continue;
      for (const [metric, value] of Object.entries(metrics)) (samples[name][metric] ??= []).push(value);
    }
  }
  const medians = Object.fromEntries(
    Object.entries(samples).map(([name, metrics]) => [
      name,
      Object.fromEntries(Object.entries(metrics).map(([metric, values]) => [metric, median(values)])),
    ]),
  );
  return { samples, medians, outputs };
}

/**
 * The peak resident set (VmHWM, what /usr/bin/time reports as maximum RSS) of `pid` and of each
 * of its live descendants, summed, in KiB (0 once it is gone). Summing each one's own peak can
 * overstate a tree whose members peaked at different moments; it never understates one.
 */
export function treeRssKiB(pid) {
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total += Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      for (const task of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ')) {
        if (task.trim()) queue.push(Number(task));
      }
    } catch {
      // exited between the listing and the read
    }
  }
  return total;
}

/**
 * Samples the process tree under `pid` every `intervalMs` until stopped; `stop()` returns the
 * highest total seen, in MiB. Short-lived children (a git helper) can fall between two samples:
 * keep the interval short.
 */
export function watchPeakRss(pid, intervalMs = 2) {
  let peak = treeRssKiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssKiB(pid));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return peak / 1024;
    },
  };
}

/** GNU time, for a child's CPU time (user + system); absent on some machines. */
const GNU_TIME = '/usr/bin/time';
export const canTimeCpu = existsSync(GNU_TIME);
const CPU_MARK = 'flux-azdo-bench-cpu';

/**
 * Runs a process to its end. Resolves `{ ms, stdout, peakRssMiB?, cpuMs? }`: wall time from spawn
 * to exit; the tree's peak RSS when `rss` is set; with `cpu` (and GNU time present) the process's
 * user + system CPU time, which a loaded machine disturbs far less than the wall (10 ms ticks:
 * read medians). Rejects on a non-zero exit with its stderr. `onLine` sees each stdout line.
 */
export function runProcess(cmd, args, { input, env, cwd, rss = false, cpu = false, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const timed = cpu && canTimeCpu;
    const [file, argv] = timed ? [GNU_TIME, ['-f', `${CPU_MARK} %U %S`, cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env, cwd });
    const watch = rss ? watchPeakRss(child.pid) : undefined;
    const out = [];
    const err = [];
    let partial = '';
    child.stdout.on('data', (d) => {
      out.push(d);
      if (!onLine) return;
      partial += d.toString('utf8');
      let nl;
      while ((nl = partial.indexOf('\n')) >= 0) {
        onLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const peakRssMiB = watch?.stop();
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) return reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr}`));
      const result = { ms, stdout: Buffer.concat(out).toString('utf8') };
      if (rss) result.peakRssMiB = peakRssMiB;
      const times = timed ? new RegExp(`^${CPU_MARK} ([\\d.]+) ([\\d.]+)$`, 'm').exec(stderr) : null;
      if (times) result.cpuMs = (Number(times[1]) + Number(times[2])) * 1000;
      resolve(result);
    });
    child.stdin.end(input ?? '');
  });
}
