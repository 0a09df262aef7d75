/*
 * Window arithmetic shared by the Lua script (which repeats it, see counters.lua.ts) and the
 * rules (which use the bucket index to fire at most once per window bucket).
 *
 * A window of length W is split into N sub-buckets of W/N ms. Bucket index b = floor(t / (W/N)).
 * The value of a window "at time t" is the sum of buckets b(t)-N+1 .. b(t): it covers between
 * W - W/N and W of history, which is the usual price of bucketed windows for O(N) memory.
 */

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "10m", "1h", "7d" -> milliseconds. Throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as "30s", "10m", "1h" or "7d"`);
  const ms = Number(match[1]) * UNITS[match[2]];
  if (ms <= 0) throw new Error(`duration "${text}" must be positive`);
  return ms;
}

/** Milliseconds -> the shortest exact label ("600000" -> "10m"). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's']) {
    if (ms % UNITS[unit] === 0) return `${ms / UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

export function bucketSizeMs(windowMs: number, bucketsPerWindow: number): number {
  return Math.max(1, Math.floor(windowMs / bucketsPerWindow));
}

export function bucketIndex(timeMs: number, windowMs: number, bucketsPerWindow: number): number {
  return Math.floor(timeMs / bucketSizeMs(windowMs, bucketsPerWindow));
}

/** Bucket indexes that make up the window ending at `timeMs`, oldest first. */
export function windowBuckets(timeMs: number, windowMs: number, bucketsPerWindow: number): number[] {
  const last = bucketIndex(timeMs, windowMs, bucketsPerWindow);
  return Array.from({ length: bucketsPerWindow }, (_, i) => last - bucketsPerWindow + 1 + i);
}

/** An event is late (not applied) when it is older than the entity's newest event minus the lateness. */
export function isLate(timeMs: number, watermarkMs: number, allowedLatenessMs: number): boolean {
  return watermarkMs > 0 && timeMs < watermarkMs - allowedLatenessMs;
}
