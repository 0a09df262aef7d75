/**
 * Turns free text into the set of features near-duplicate detection compares. Hand-written
 * (no npm stemmer/stop-word package covers EN/DE/FR/PL in a few lines and stays pure):
 *
 * - lower case, diacritics folded, everything but letters and digits becomes a space, so
 *   punctuation, emoji and case changes do not matter;
 * - stop-words of the marketplace's languages dropped, so "the/und/le/i" do not make unrelated
 *   texts look alike;
 * - each word cut to its first STEM_LENGTH characters: a crude stemmer that maps
 *   "delivered/delivery", "recommend/recommended" to one feature, which is what light
 *   paraphrase changes;
 * - a set of words (no order), so reordered sentences keep their features.
 */

const STEM_LENGTH = 6;

// Small, high-frequency function words only: content words ("good", "fast") must stay.
const STOP_WORDS = new Set(
  [
    // en
    'a an the and or but if of to in on at for with from by as is are was were be been being it its this that these those i me my we our you your he she they them their his her not no so very too just than then there here what which who all any some can could would should will shall do does did have has had am also really',
    // de
    'der die das den dem des ein eine einen einem einer und oder aber ich du er sie es wir ihr mit von zu im in am an auf fur ist sind war nicht sehr auch so noch nur wie',
    // fr
    'le la les un une des et ou mais je tu il elle nous vous ils elles de du au aux en dans sur pour par avec est sont etait pas tres ne que qui ce cet cette mon ma mes',
    // pl
    'i w z na do nie jest to ze sie o a jak za od po tak bardzo ale czy co juz',
  ]
    .join(' ')
    .split(' '),
);

/** The distinct normalised content words of a text (see the module comment). */
export function contentFeatures(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ');
  const features = new Set<string>();
  for (const word of words) {
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    features.add(word.slice(0, STEM_LENGTH));
  }
  return [...features];
}
