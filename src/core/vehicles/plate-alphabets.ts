/**
 * What a country's plates are written in. A plate's letters all come from one alphabet of its
 * country and its digits from one digit set, so no plate mixes lookalike letters (Latin "A",
 * Cyrillic "А", Greek "Α", Lisu "ꓮ", Cherokee "Ꭺ", small capital "ᴀ") or digits ("123", "١٢٣").
 */
interface PlateAlphabet {
  /** Shown in the refusal: "A-Z", "Cyrillic" … */
  name: string;
  letter: RegExp;
}

const LATIN: PlateAlphabet = { name: 'A-Z', letter: /[A-Z]/u };
// German district codes keep their umlauts (MÜ, LÖ, TÖL).
const GERMAN: PlateAlphabet = { name: 'A-Z (and Ä, Ö, Ü)', letter: /[A-ZÄÖÜ]/u };
const CYRILLIC: PlateAlphabet = { name: 'Cyrillic', letter: /\p{Script=Cyrillic}/u };
const GREEK: PlateAlphabet = { name: 'Greek', letter: /\p{Script=Greek}/u };
// Japanese plates: the office in kanji, the class and kana in hiragana (品川 500 さ 12-34).
const JAPANESE: PlateAlphabet = { name: 'kanji and kana', letter: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u };
// Chinese plates: the province's character, then A-Z and digits (京A·12345).
const CHINESE: PlateAlphabet = { name: 'a Han character and A-Z', letter: /[\p{Script=Han}A-Z]/u };
const HANGUL: PlateAlphabet = { name: 'Hangul', letter: /\p{Script=Hangul}/u };
const THAI: PlateAlphabet = { name: 'Thai', letter: /\p{Script=Thai}/u };
const ARABIC: PlateAlphabet = { name: 'Arabic', letter: /\p{Script=Arabic}/u };

const ASCII_DIGITS = /[0-9]/u;
const ARABIC_DIGITS = [ASCII_DIGITS, /[\u0660-\u0669]/u, /[\u06F0-\u06F9]/u];

const byCountry = (countries: string, alphabets: PlateAlphabet[]) => countries.split(' ').map((country) => [country, alphabets] as const);
const ALPHABETS = new Map<string, PlateAlphabet[]>([
  ['DE', [GERMAN]],
  ...byCountry('RU BY UA KZ KG BG RS MK MN TJ', [CYRILLIC, LATIN]),
  ['GR', [GREEK, LATIN]],
  ['JP', [JAPANESE, LATIN]],
  ['CN', [CHINESE]],
  ['KR', [HANGUL, LATIN]],
  ['TH', [THAI, LATIN]],
  ...byCountry('SA AE EG IQ JO KW QA BH OM LY SY YE MA TN DZ LB SD IR AF', [ARABIC, LATIN]),
]);
const ARABIC_SCRIPT_COUNTRIES = new Set([...ALPHABETS].filter(([, alphabets]) => alphabets.includes(ARABIC)).map(([country]) => country));

// Separators plates are written with: spaces, dots and hyphens everywhere; the middle dot of
// Chinese and Korean plates, the katakana middle dot of Japanese ones.
const SEPARATORS: Record<string, RegExp> = { CN: /[ .·-]/u, KR: /[ .·-]/u, JP: /[ .\u30FB-]/u };
const COMMON_SEPARATORS = /[ .-]/u;

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;

/** Why `text` (normalised, upper-cased) cannot be a plate of `country`, or undefined. */
export function plateAlphabetProblem(text: string, country: string): string | undefined {
  const alphabets = ALPHABETS.get(country) ?? [LATIN];
  const digitSets = ARABIC_SCRIPT_COUNTRIES.has(country) ? ARABIC_DIGITS : [ASCII_DIGITS];
  const separator = SEPARATORS[country] ?? COMMON_SEPARATORS;
  const chars = [...text];
  const letters = chars.filter((char) => LETTER.test(char));
  const digits = chars.filter((char) => DIGIT.test(char));
  const written = `must be written in ${alphabets.map((a) => a.name).join(' or ')} letters and digits for a ${country} plate`;
  if (chars.some((char) => !LETTER.test(char) && !DIGIT.test(char) && !separator.test(char))) return `${written}, with spaces, dots or hyphens between them`;
  if (!alphabets.some((alphabet) => letters.every((char) => alphabet.letter.test(char)))) return `${written} (one alphabet, never mixed)`;
  if (!digitSets.some((set) => digits.every((char) => set.test(char)))) return `${written} (one kind of digits, never mixed)`;
  return undefined;
}
