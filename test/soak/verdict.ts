/**
 * Is a soak's resource series flat? Samples are taken at the same point of
 * every churn cycle (churning participants gone, steady ones in), so what
 * differs between them is what the cycles left behind.
 *
 * Memory: the mean of the last third against the mean of the middle third.
 * The first third is left out: it holds warm-up growth (JIT code, V8 heap
 * sizing, SQLite page cache, mediasoup's buffers) that is no leak. Growth up
 * to MEMORY_TOLERANCE is flat; shrinking is flat too.
 *
 * Why 10 %: V8's heap in use moves between samples with where a sample
 * lands in the GC cycle (two 3-minute runs: 33–46 MB, about ±12 %) and
 * RSS returns memory to the OS only in big steps. A third of the 30-minute
 * run averages 20 samples, which brings that noise to about ±3 %, so 10 % is
 * some three times the noise and a false alarm is unlikely. What it still
 * catches: the default soak churns 60 joins/leaves per 30 s cycle, 1,200
 * between the centres of the two thirds; 10 % of a ~35 MB heap is 3.5 MB,
 * i.e. a leak of about 3 KB per join/leave on the heap (about 12 KB for
 * RSS's ~145 MB). The slope (MB per hour, least squares over all but the
 * first third) is printed beside it for a human to judge.
 *
 * File descriptors: once everyone has left, Beacon and its workers must hold
 * as many as before the run (within FD_TOLERANCE), after a short settle.
 */
export const MEMORY_TOLERANCE = 0.1;
/**
 * The previous sample's /metrics request may still hold its keep-alive
 * socket in Beacon (measured: 32 before, 33 after); a leak per participant
 * would show as tens or hundreds.
 */
export const FD_TOLERANCE = 1;

export interface FlatVerdict {
  middleMean: number;
  lastMean: number;
  /** (last − middle) / middle. */
  growth: number;
  /** Units per hour over the middle and last thirds. */
  slopePerHour: number;
  flat: boolean;
}

/** `series` are [seconds, value] pairs in time order; needs at least 3 samples. */
export function memoryVerdict(series: [number, number][], tolerance = MEMORY_TOLERANCE): FlatVerdict {
  if (series.length < 3) throw new RangeError(`need at least 3 samples, got ${series.length}`);
  const third = Math.floor(series.length / 3);
  const middle = series.slice(third, series.length - third);
  const last = series.slice(series.length - third);
  const middleMean = mean(middle.map(([, v]) => v));
  const lastMean = mean(last.map(([, v]) => v));
  const growth = (lastMean - middleMean) / middleMean;
  return {
    middleMean: round(middleMean, 1),
    lastMean: round(lastMean, 1),
    growth: round(growth, 3),
    slopePerHour: round(slope(series.slice(third)) * 3600, 1),
    flat: growth <= tolerance,
  };
}

export function fdsBackToBaseline(baseline: number, after: number, tolerance = FD_TOLERANCE): boolean {
  return after <= baseline + tolerance;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Least-squares slope of value over seconds. */
function slope(series: [number, number][]): number {
  const mx = mean(series.map(([x]) => x));
  const my = mean(series.map(([, y]) => y));
  let num = 0;
  let den = 0;
  for (const [x, y] of series) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
