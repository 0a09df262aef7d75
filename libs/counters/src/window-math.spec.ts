import { bucketIndex, formatDuration, isLate, parseDuration, windowBuckets } from './window-math';

describe('window math', () => {
  it('parses and formats durations', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(90_000)).toBe('90s');
    expect(() => parseDuration('10 minutes')).toThrow(/not a duration/);
    expect(() => parseDuration('0m')).toThrow(/positive/);
  });

  it('splits a window into N buckets ending at the event time', () => {
    // 1m window, 6 buckets of 10 s; t = 125 s lies in bucket 12.
    expect(bucketIndex(125_000, 60_000, 6)).toBe(12);
    expect(windowBuckets(125_000, 60_000, 6)).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('treats events older than watermark - lateness as late', () => {
    expect(isLate(1_000, 0, 500)).toBe(false);
    expect(isLate(9_500, 10_000, 500)).toBe(false);
    expect(isLate(9_499, 10_000, 500)).toBe(true);
  });
});
