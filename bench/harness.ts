/**
 * Minimal benchmark harness shared by every file under bench/: prints the command and the machine once,
 * runs a measurement several times (samples) and reports the median and the spread (min..max, and the
 * p99 of per-operation latencies where a benchmark records them). Machines here are noisy: quote medians
 * and ratios, never single runs.
 */
import * as os from 'node:os';

export interface SampleStats {
  /** median of the per-sample rates (operations per second) */
  medianOpsPerSec: number;
  minOpsPerSec: number;
  maxOpsPerSec: number;
  samples: number;
}

let headerPrinted = false;

/** Prints the command line, Node version and machine (CPU model, cores, memory) once per process. */
export function printHeader(): void {
  if (headerPrinted) return;
  headerPrinted = true;
  const cpus = os.cpus();
  console.log(`command: ${process.env.npm_lifecycle_script ? `npm run bench (${process.env.npm_lifecycle_script})` : process.argv.join(' ')}`);
  console.log(`machine: ${cpus[0]?.model ?? 'unknown cpu'} x${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`);
}

/** Median of a numeric array (does not mutate it). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) of a numeric array, nearest-rank. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Array.from(values).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/**
 * Runs `body` `samples` times after `warmup` runs; `body` performs `ops` operations and returns nothing.
 * Returns the per-sample throughput statistics.
 */
export function measureRate(body: () => void, ops: number, samples = 7, warmup = 2): SampleStats {
  for (let i = 0; i < warmup; i++) body();
  const rates: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    body();
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push((ops * 1e9) / ns);
  }
  return { medianOpsPerSec: median(rates), minOpsPerSec: Math.min(...rates), maxOpsPerSec: Math.max(...rates), samples };
}

/** Async variant of measureRate. */
export async function measureRateAsync(body: () => Promise<void>, ops: number, samples = 5, warmup = 1): Promise<SampleStats> {
  for (let i = 0; i < warmup; i++) await body();
  const rates: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    await body();
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push((ops * 1e9) / ns);
  }
  return { medianOpsPerSec: median(rates), minOpsPerSec: Math.min(...rates), maxOpsPerSec: Math.max(...rates), samples };
}

/** Formats a rate like `5.21M/s`. */
export function fmtRate(opsPerSec: number): string {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M/s`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)}k/s`;
  return `${opsPerSec.toFixed(1)}/s`;
}

/** One result line: `name  median  [min .. max]  (n samples)  extra`. */
export function report(name: string, stats: SampleStats, extra = ''): void {
  console.log(
    `${name.padEnd(44)} median ${fmtRate(stats.medianOpsPerSec).padStart(10)}  spread [${fmtRate(stats.minOpsPerSec)} .. ${fmtRate(stats.maxOpsPerSec)}]  (${stats.samples} samples)${extra ? '  ' + extra : ''}`,
  );
}

/** The seeded PRNG of the mock exchange's fault injection (mulberry32), so every benchmark run generates the same data. */
export { mulberry32 as prng } from '@kalshi-platform/feature-exchange';
