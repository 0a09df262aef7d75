import { contentFeatures } from './normalize';

/**
 * MinHash signatures with LSH banding. Written here rather than taken from npm because the
 * maintained packages either pull in big dependencies or do not expose the band keys, which we
 * need to store as Redis bucket keys; the whole thing is a few dozen lines of pure code.
 *
 * The Jaccard similarity J of two feature sets equals the probability that one MinHash value
 * agrees; with `bands` bands of `rows` values each, two texts share at least one band with
 * probability 1 - (1 - J^rows)^bands (20 x 3: 0.9998 at J = 0.75, 0.93 at J = 0.5, 0.42 at J = 0.3, 0.02 at J = 0.1).
 * Candidates from a shared band are then confirmed by the fraction of equal values.
 */
export interface MinHashOptions {
  /** Number of bands; hashes = bands * rows. */
  bands: number;
  rows: number;
  /** Texts with fewer distinct content words get no signature (too generic to compare). */
  minFeatures: number;
}

export const DEFAULT_MINHASH_OPTIONS: MinHashOptions = { bands: 20, rows: 3, minFeatures: 6 };

export interface TextSignature {
  /** One 32-bit MinHash value per hash function, as 8 hex characters each. */
  signature: string;
  /** One key per band: `<band index>.<hash of the band's values>`. */
  bandKeys: string[];
  features: number;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// murmur3 finaliser: turns (feature hash xor seed) into an independent-looking permutation.
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const seedCache = new Map<number, Uint32Array>();
function seeds(count: number): Uint32Array {
  let cached = seedCache.get(count);
  if (!cached) {
    cached = new Uint32Array(count);
    for (let i = 0; i < count; i++) cached[i] = mix(0x9e3779b9 + i * 0x632be5ab);
    seedCache.set(count, cached);
  }
  return cached;
}

/** The signature and band keys of a text, or null when it has too few content words. */
export function textSignature(text: string, options: MinHashOptions = DEFAULT_MINHASH_OPTIONS): TextSignature | null {
  const features = contentFeatures(text);
  if (features.length < options.minFeatures) return null;
  const count = options.bands * options.rows;
  const seed = seeds(count);
  const minima = new Uint32Array(count).fill(0xffffffff);
  for (const feature of features) {
    const base = fnv1a(feature);
    for (let i = 0; i < count; i++) {
      const value = mix(base ^ seed[i]);
      if (value < minima[i]) minima[i] = value;
    }
  }
  const hex = Array.from(minima, (v) => v.toString(16).padStart(8, '0'));
  const bandKeys: string[] = [];
  for (let band = 0; band < options.bands; band++) {
    const slice = hex.slice(band * options.rows, (band + 1) * options.rows).join('');
    bandKeys.push(`${band}.${fnv1a(slice).toString(36)}`);
  }
  return { signature: hex.join(''), bandKeys, features: features.length };
}

/** Estimated Jaccard similarity: the share of equal MinHash values of two signatures. */
export function signatureSimilarity(a: string, b: string): number {
  if (a.length !== b.length || a.length % 8 !== 0) return 0;
  let equal = 0;
  const values = a.length / 8;
  for (let i = 0; i < a.length; i += 8) {
    if (a.slice(i, i + 8) === b.slice(i, i + 8)) equal++;
  }
  return equal / values;
}

/** True when two signatures share a band (the LSH candidate test). */
export function shareBand(a: TextSignature, b: TextSignature): boolean {
  return a.bandKeys.some((key, i) => key === b.bandKeys[i]);
}

/** The detector's decision for a pair: candidate by banding, confirmed by estimated similarity. */
export function nearDuplicate(a: TextSignature, b: TextSignature, minSimilarity: number): boolean {
  return shareBand(a, b) && signatureSimilarity(a.signature, b.signature) >= minSimilarity;
}

/** Estimated similarity above which a band candidate counts as a near-duplicate (see README). */
export const DEFAULT_MIN_SIMILARITY = 0.4;
