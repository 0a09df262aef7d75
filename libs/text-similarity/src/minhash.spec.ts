import { contentFeatures } from './normalize';
import { DEFAULT_MIN_SIMILARITY, DEFAULT_MINHASH_OPTIONS, nearDuplicate, signatureSimilarity, textSignature, TextSignature } from './minhash';

/** Deterministic PRNG (mulberry32) so the measured figures are reproducible. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(42);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const SYLLABLES = ['ka', 'lo', 'mer', 'tin', 'sa', 'vel', 'dor', 'pri', 'nu', 'gal', 'ser', 'bo', 'ran', 'te', 'fi', 'mos'];
// A vocabulary of 1,500 distinct pseudo-words of 3 syllables (review-length texts of ~15 content words).
const VOCABULARY = [...new Set(Array.from({ length: 4000 }, () => pick(SYLLABLES) + pick(SYLLABLES) + pick(SYLLABLES)))].slice(0, 1500);
const FILLERS = ['the', 'and', 'very', 'really', 'it', 'is', 'a'];
const PUNCTUATION = ['.', '!', ',', '...', '?!'];

function originalText(): string[][] {
  // 3 sentences of 5 content words: a review or complaint of ~15 content words.
  return Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => pick(VOCABULARY)));
}

/** Light paraphrase: sentences reordered, 2 words replaced, 1 dropped, fillers, case and punctuation changed. */
function paraphrase(sentences: string[][]): string {
  const copy = sentences.map((s) => [...s]);
  for (let i = 0; i < 2; i++) {
    const s = pick(copy);
    s[Math.floor(random() * s.length)] = pick(VOCABULARY);
  }
  const s = pick(copy);
  s.splice(Math.floor(random() * s.length), 1);
  copy.sort(() => random() - 0.5);
  return copy
    .map((words) => {
      const withFillers = words.flatMap((w) => (random() < 0.3 ? [pick(FILLERS), w] : [w]));
      const text = withFillers.join(' ') + pick(PUNCTUATION);
      return random() < 0.5 ? text.toUpperCase() : text[0].toUpperCase() + text.slice(1);
    })
    .join(' ');
}

const render = (sentences: string[][]) => sentences.map((s) => s.join(' ') + '.').join(' ');
const sig = (text: string): TextSignature => {
  const signature = textSignature(text);
  if (!signature) throw new Error(`no signature for "${text}"`);
  return signature;
};

describe('contentFeatures', () => {
  it('ignores case, punctuation, diacritics, stop-words and word order', () => {
    const a = contentFeatures('The seller is a SCAMMER!!! Never delivered, très mauvais.');
    const b = contentFeatures('never delivered... tres mauvais; scammer seller');
    expect(new Set(a)).toEqual(new Set(b));
  });

  it('maps inflections to one feature', () => {
    expect(contentFeatures('delivered recommended')).toEqual(contentFeatures('delivery recommend'));
  });
});

describe('textSignature', () => {
  it('gives no signature to short generic texts', () => {
    expect(textSignature('Great product, fast delivery!')).toBeNull();
    expect(textSignature('Sehr gut, schnelle Lieferung, gerne wieder')).toBeNull();
  });

  it('gives identical texts identical signatures and band keys', () => {
    const text = 'The blender arrived broken and the seller refuses any refund, avoid this shop';
    expect(sig(text)).toEqual(sig(text));
    expect(sig(text).bandKeys).toHaveLength(DEFAULT_MINHASH_OPTIONS.bands);
  });

  it('links a hand-written paraphrase and not an unrelated complaint', () => {
    const a = sig('This seller is a total scam: paid 300 euros for a phone, never shipped, support ignores every message.');
    const b = sig('Total SCAM seller!! Paid 300 euro for the phone... never shipped and support ignores all messages');
    const c = sig('Wrong size delivered, the jacket colour differs from the pictures, but refund was quick and friendly.');
    expect(nearDuplicate(a, b, DEFAULT_MIN_SIMILARITY)).toBe(true);
    expect(nearDuplicate(a, c, DEFAULT_MIN_SIMILARITY)).toBe(false);
  });
});

describe('near-duplicate detection on generated paraphrase sets', () => {
  it('links most paraphrase pairs and almost no unrelated pairs', () => {
    const sets = Array.from({ length: 200 }, () => {
      const original = originalText();
      return [render(original), ...Array.from({ length: 4 }, () => paraphrase(original))].map(sig);
    });
    let paraphrasePairs = 0;
    let paraphraseLinked = 0;
    for (const set of sets) {
      for (let i = 0; i < set.length; i++) {
        for (let j = i + 1; j < set.length; j++) {
          paraphrasePairs++;
          if (nearDuplicate(set[i], set[j], DEFAULT_MIN_SIMILARITY)) paraphraseLinked++;
        }
      }
    }
    let unrelatedPairs = 0;
    let unrelatedLinked = 0;
    for (let i = 0; i < sets.length; i++) {
      for (let j = i + 1; j < sets.length; j++) {
        unrelatedPairs++;
        if (nearDuplicate(sets[i][0], sets[j][1], DEFAULT_MIN_SIMILARITY)) unrelatedLinked++;
      }
    }
    const recall = paraphraseLinked / paraphrasePairs;
    const falseLinkRate = unrelatedLinked / unrelatedPairs;
    const meanSimilarity =
      sets.reduce((sum, set) => sum + signatureSimilarity(set[0].signature, set[1].signature), 0) / sets.length;
    console.log(
      `near-duplicate detector: paraphrase pairs linked ${paraphraseLinked}/${paraphrasePairs} = ${recall.toFixed(4)}, ` +
        `unrelated pairs linked ${unrelatedLinked}/${unrelatedPairs} = ${falseLinkRate.toFixed(5)}, ` +
        `mean estimated similarity original-paraphrase ${meanSimilarity.toFixed(3)}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.8);
    expect(falseLinkRate).toBeLessThanOrEqual(0.02);
  });
});
