import { createHash } from 'node:crypto';
import { transliterate } from 'transliteration';
import { find as findLinks } from 'linkifyjs';
import { CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Finds off-platform contact details and "contact me before buying" bait in listing titles,
 * descriptions and review texts. Exported for review-analysis too.
 *
 * Well-kept libraries do the hard parts: transliteration folds look-alike Unicode (Cyrillic, Greek,
 * full-width, mathematical letters) to ASCII, linkifyjs finds links and e-mails against the real
 * TLD list, libphonenumber-js decides whether a digit run is a phone number. Hand-written here is
 * only what no library does: undoing the obfuscations fraudsters use ("name at gmail dot com",
 * spelled-out digits) and the intent phrases in EN/DE/FR/PL.
 */

export type ContactKind = 'email' | 'phone' | 'link' | 'messenger' | 'intent';

export interface ContactFinding {
  kind: ContactKind;
  /** Normalised value: lower-case e-mail, E.164 phone, host+path link, "app:handle", or the phrase id. */
  value: string;
  /** What matched in the normalised text (for evidence). */
  match: string;
}

export interface ContactScanOptions {
  /** Link hosts that are the platform's own (never bait). */
  allowedHosts?: string[];
  /** Countries tried for phone numbers written without +/00. */
  phoneCountries?: CountryCode[];
}

const ZERO_WIDTH = /[\u00AD\u200B-\u200F\u2060-\u2064\uFEFF\u180E]/g;

// transliteration is phonetic (Cyrillic "с" -> "s", "р" -> "r"); fraudsters use these letters for
// how they LOOK, so the Cyrillic/Greek look-alikes of Latin letters are folded first. A short
// table (from Unicode's confusables.txt) because no CommonJS-loadable npm package does only this.
const LOOK_ALIKES: Record<string, string> = {
  а: 'a', в: 'b', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
  А: 'A', В: 'B', Е: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', Х: 'X', У: 'Y', І: 'I', Ј: 'J', Ѕ: 'S',
  α: 'a', ο: 'o', ρ: 'p', τ: 't', ι: 'i', κ: 'k', ν: 'v', υ: 'u', ε: 'e',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
};
const LOOK_ALIKE_CHARS = new RegExp(`[${Object.keys(LOOK_ALIKES).join('')}]`, 'g');

/** Folds look-alike Unicode and zero-width characters away and lower-cases; keeps line structure. */
export function normaliseText(text: string): string {
  const folded = text.normalize('NFKC').replace(ZERO_WIDTH, '').replace(LOOK_ALIKE_CHARS, (c) => LOOK_ALIKES[c] ?? c);
  return transliterate(folded).toLowerCase();
}

// "at"/"dot" in the four languages, bracketed or spaced; malpa = Polish "@", punkt/point/kropka = ".".
const AT = String.raw`(?:\s*[([{<]\s*(?:at|@|malpa|arobase)\s*[)\]}>]\s*|\s+(?:at|malpa|arobase)\s+|\s*@\s*)`;
const DOT = String.raw`(?:\s*[([{<]\s*(?:dot|punkt|point|kropka|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt|point|kropka)\s+|\s*\.\s*)`;
const OBFUSCATED_EMAIL = new RegExp(String.raw`([a-z0-9][a-z0-9._+-]{0,63})${AT}([a-z0-9-]{1,63})${DOT}([a-z]{2,10})(?![\w-]|\.[a-z])`, 'g');
const BRACKETED_DOT = /\s*[([{<]\s*(?:dot|punkt|point|kropka)\s*[)\]}>]\s*/g;

const DIGIT_WORDS: Record<string, string> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
  null: '0', eins: '1', zwei: '2', drei: '3', vier: '4', funf: '5', fuenf: '5', sechs: '6', sieben: '7', acht: '8', neun: '9',
  un: '1', deux: '2', trois: '3', quatre: '4', cinq: '5', sept: '7', huit: '8', neuf: '9',
  jeden: '1', dwa: '2', trzy: '3', cztery: '4', piec: '5', szesc: '6', siedem: '7', osiem: '8', dziewiec: '9',
};
// Only runs of 4+ digit words/digits are rewritten: a lone "un"/"one"/"acht" is ordinary prose.
const DIGIT_WORD_RUN = new RegExp(
  String.raw`\b(?:(?:${Object.keys(DIGIT_WORDS).join('|')}|\d)[\s,-]*){4,}`,
  'g',
);

function spellDigits(text: string): string {
  return text.replace(DIGIT_WORD_RUN, (run) =>
    run.replace(new RegExp(String.raw`\b(${Object.keys(DIGIT_WORDS).join('|')})\b`, 'g'), (w) => DIGIT_WORDS[w] ?? w),
  );
}

// Digit runs with the separators people type in phone numbers.
const PHONE_CANDIDATE = /(?:\+|\b00)?\(?\d[\d\s().\/-]{6,22}\d/g;
// Numbers right after these words are order/product/date identifiers, never phones.
const IDENTIFIER_CONTEXT =
  /(?:order|bestell\w*|commande|zamowieni\w*|invoice|rechnung|facture|faktura|sku|gtin|ean|isbn|upc|mpn|art(?:ikel)?|ref|nr|no|n°|#|id|tracking|sendung\w*|model|modell|serial|serie|lot|batch|date|datum)\W{0,4}$/;
const PHONE_CONTEXT = /(?:tel|phone|call|ring|sms|text|whats\s?app|telegram|signal|viber|anruf\w*|telefon\w*|handy|mobil\w*|appel\w*|numero|portable|zadzwon\w*|komork\w*|dzwon\w*)/;

const MESSENGER_LINK_HOSTS: Record<string, string> = {
  'wa.me': 'whatsapp', 'api.whatsapp.com': 'whatsapp', 'chat.whatsapp.com': 'whatsapp',
  't.me': 'telegram', 'telegram.me': 'telegram', 'signal.me': 'signal', 'viber.me': 'viber',
};
// "whats app", "w.h.a.t.s.a.p.p", "tele gram": letters split by spaces/dots/dashes.
const MESSENGER_NAME = /\b(w\W?h\W?a\W?t\W?s\W?'?\W?a\W?p\W?p|t\W?e\W?l\W?e\W?g\W?r\W?a\W?m|viber|wechat|skype|snapchat|threema|kik|signal|line)\b(?:\s*(?:messenger|app))?\s*(?:[:=]|\bid\b|\bme\b|\bat\b|\bna\b|\bpod\b|\bunter\b|\bsur\b|\bau\b)?\s*(@?[a-z0-9_.+-]{3,32})?/g;
// "signal" and "line" are everyday words: only a handle/number or a messenger verb makes them a channel.
const AMBIGUOUS_MESSENGERS = new Set(['signal', 'line', 'kik']);
const MESSENGER_VERB = /(?:contact|write|message|text|reach|add|call|schreib\w*|kontakt\w*|melde\w*|contactez|ecri\w*|napisz|kontakt|dodaj)\W+(?:\w+\W+){0,4}$/;

/** Intent phrases, matched on the normalised (ASCII, lower-case) text. Id -> pattern. */
export const INTENT_PHRASES: Record<string, RegExp> = {
  'en.contact-before-buying': /\b(?:contact|message|email|e-mail|write to|text|call)\s+(?:me|us)\s+(?:\w+\s+){0,2}(?:before|prior to)\s+(?:buying|purchas\w*|order\w*|you buy|paying)/,
  'en.contact-directly': /\b(?:contact|email|e-mail|text|message|reach)\s+me\s+(?:directly|privately|on|via|at)\b(?!\s+(?:the\s+)?(?:platform|site|marketplace))/,
  'en.off-platform-payment': /\b(?:pay|payment|deal)\s+(?:\w+\s+){0,2}(?:outside|off)\s+(?:the\s+)?(?:platform|site|marketplace|ebay|amazon)|\b(?:western union|moneygram|friends and family)\b/,
  'de.contact-before-buying': /\b(?:vor\s+dem\s+kauf|vor\s+kauf|vor\s+der\s+bestellung)\b.{0,60}\b(?:kontakt\w*|melden|anschreiben|schreiben|e-?mail|anrufen)|\b(?:kontaktieren|schreiben|mailen)\s+sie\s+mir?c?h?\s+(?:\w+\s+){0,3}(?:vor\s+dem\s+kauf|vorher|direkt|per\s+e-?mail|per\s+whats\s?app)/,
  'de.direct-payment': /\b(?:zahlung|bezahlung|uberweisung)\s+(?:\w+\s+){0,2}(?:direkt|ausserhalb)\b/,
  'fr.contact-before-buying': /\b(?:contactez|ecrivez|envoyez)[- ]moi\b.{0,60}\b(?:avant|directement|par\s+(?:e-?mail|mail|sms|whatsapp|telephone))|\bavant\s+(?:tout\s+)?(?:achat|commande)\b.{0,40}\b(?:contactez|ecrivez|envoyez|me\s+contacter)|\bme\s+contacter\s+(?:\w+\s+){0,2}(?:avant|directement|par\s+(?:e-?mail|mail))/,
  'pl.contact-before-buying': /\b(?:skontaktuj\w*|napisz|prosze\s+o\s+kontakt|zadzwon)\b.{0,60}\b(?:przed\s+zakupem|przed\s+zamowieniem|bezposrednio|mailowo|na\s+(?:maila|e-?mail|whatsapp))|\bprzed\s+zakupem\b.{0,40}\b(?:skontaktuj\w*|napisz|kontakt)/,
};

const DEFAULT_COUNTRIES: CountryCode[] = ['DE', 'FR', 'PL', 'GB', 'US'];

function phoneFindings(text: string, countries: CountryCode[]): ContactFinding[] {
  const found: ContactFinding[] = [];
  for (const m of text.matchAll(PHONE_CANDIDATE)) {
    const raw = m[0];
    const before = text.slice(Math.max(0, (m.index ?? 0) - 24), m.index);
    if (IDENTIFIER_CONTEXT.test(before)) continue;
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 9 || digits.length > 15) continue;
    const international = raw.startsWith('+') || raw.startsWith('00');
    const hasContext = PHONE_CONTEXT.test(text.slice(Math.max(0, (m.index ?? 0) - 40), m.index));
    // Without +/00 a number must either carry a trunk prefix (0...) or be announced as a phone;
    // bare 10-13 digit runs are GTINs, order numbers and SKUs far more often than phones.
    if (!international && !digits.startsWith('0') && !hasContext) continue;
    const candidates = international ? [undefined] : countries;
    for (const country of candidates) {
      const input = international ? `+${digits.replace(/^00/, '')}` : digits;
      const phone = parsePhoneNumberFromString(input, country);
      if (phone?.isValid()) {
        found.push({ kind: 'phone', value: phone.number, match: raw.trim() });
        break;
      }
    }
  }
  return found;
}

function linkFindings(text: string, allowedHosts: Set<string>): ContactFinding[] {
  const found: ContactFinding[] = [];
  for (const link of findLinks(text)) {
    if (link.type === 'email') {
      found.push({ kind: 'email', value: link.value.toLowerCase(), match: link.value });
    } else if (link.type === 'url') {
      const url = new URL(link.href);
      const host = url.hostname.replace(/^www\./, '');
      if (allowedHosts.has(host)) continue;
      const messenger = MESSENGER_LINK_HOSTS[host];
      const path = url.pathname.replace(/\/$/, '');
      found.push(
        messenger
          ? { kind: 'messenger', value: `${messenger}:${path.replace(/^\//, '') || host}`, match: link.value }
          : { kind: 'link', value: `${host}${path}`, match: link.value },
      );
    }
  }
  return found;
}

function messengerFindings(text: string): ContactFinding[] {
  const found: ContactFinding[] = [];
  for (const m of text.matchAll(MESSENGER_NAME)) {
    const app = (m[1] ?? '').replace(/\W/g, '');
    const handle = m[2];
    const handleIsWord = handle !== undefined && /^[a-z]+$/.test(handle) && !handle.startsWith('@');
    if (AMBIGUOUS_MESSENGERS.has(app)) {
      const verb = MESSENGER_VERB.test(text.slice(Math.max(0, (m.index ?? 0) - 40), m.index));
      const realHandle =
        handle !== undefined && (handle.startsWith('@') || handle.replace(/\D/g, '').length >= 6 || m[0].includes(':'));
      if (!verb && !realHandle) continue;
    }
    const value = handle && !handleIsWord ? `${app}:${handle.replace(/^@/, '')}` : `${app}`;
    found.push({ kind: 'messenger', value, match: m[0].trim() });
  }
  return found;
}

/** Scans one text; returns every finding, deduplicated by kind+value. */
export function scanContactBait(text: string, options: ContactScanOptions = {}): ContactFinding[] {
  const normalised = spellDigits(normaliseText(text));
  const deobfuscated = normalised.replace(BRACKETED_DOT, '.').replace(OBFUSCATED_EMAIL, (_all, user: string, domain: string, tld: string) => `${user}@${domain}.${tld}`);
  const allowedHosts = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const findings = [
    ...linkFindings(deobfuscated, allowedHosts),
    ...phoneFindings(normalised, options.phoneCountries ?? DEFAULT_COUNTRIES),
    ...messengerFindings(normalised),
    ...Object.entries(INTENT_PHRASES)
      .filter(([, pattern]) => pattern.test(normalised))
      .map(([id, pattern]) => ({ kind: 'intent' as const, value: id, match: (normalised.match(pattern)?.[0] ?? '').slice(0, 120) })),
  ];
  const unique = new Map(findings.map((f) => [`${f.kind}:${f.value}`, f]));
  return [...unique.values()];
}

/** Contact details that identify a person (not intent phrases), hashed to link seller accounts. */
export function contactHashes(findings: ContactFinding[]): { kind: ContactKind; hash: string }[] {
  return findings
    .filter((f) => f.kind !== 'intent' && (f.kind !== 'messenger' || f.value.includes(':')))
    .map((f) => ({ kind: f.kind, hash: createHash('sha256').update(`${f.kind}:${f.value}`).digest('hex').slice(0, 32) }));
}
