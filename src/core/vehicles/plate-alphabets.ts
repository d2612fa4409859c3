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
// German district codes keep their umlauts (MÜ, LÖ, TÖL); South Slavic plates their háčeks (ČK 123-AB).
const GERMAN: PlateAlphabet = { name: 'A-Z (and Ä, Ö, Ü)', letter: /[A-ZÄÖÜ]/u };
const SOUTH_SLAVIC: PlateAlphabet = { name: 'A-Z (and Č, Ć, Đ, Š, Ž)', letter: /[A-ZČĆĐŠŽ]/u };
const CYRILLIC: PlateAlphabet = { name: 'Cyrillic', letter: /\p{Script=Cyrillic}/u };
const GREEK: PlateAlphabet = { name: 'Greek', letter: /\p{Script=Greek}/u };
// Japanese plates: the office in kanji, the class (with A-Z since 2017: 30A) and kana in hiragana (品川 500 さ 12-34).
const JAPANESE: PlateAlphabet = { name: 'kanji, kana and A-Z', letter: /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}A-Z]/u };
// Chinese plates: the province's character, then A-Z and digits (京A·12345).
const CHINESE: PlateAlphabet = { name: 'a Han character and A-Z', letter: /[\p{Script=Han}A-Z]/u };
const HANGUL: PlateAlphabet = { name: 'Hangul', letter: /\p{Script=Hangul}/u };
const THAI: PlateAlphabet = { name: 'Thai', letter: /\p{Script=Thai}/u };
const ARABIC: PlateAlphabet = { name: 'Arabic', letter: /\p{Script=Arabic}/u };
const DEVANAGARI: PlateAlphabet = { name: 'Devanagari', letter: /\p{Script=Devanagari}/u };
const BENGALI: PlateAlphabet = { name: 'Bengali', letter: /\p{Script=Bengali}/u };
const LAO: PlateAlphabet = { name: 'Lao', letter: /\p{Script=Lao}/u };
// Cambodian plates: the province in Khmer, then a class of digits and A-Z (ភ្នំពេញ 2A-1234).
const KHMER: PlateAlphabet = { name: 'Khmer and A-Z', letter: /[\p{Script=Khmer}A-Z]/u };
const ETHIOPIC: PlateAlphabet = { name: "Ge'ez", letter: /\p{Script=Ethiopic}/u };

const ASCII_DIGITS = /[0-9]/u;
// Countries whose plates may also be numbered in their own digits (one kind a plate).
const ARABIC_DIGITS = [ASCII_DIGITS, /[\u0660-\u0669]/u, /[\u06F0-\u06F9]/u];
const NATIVE_DIGITS: Record<string, RegExp[]> = { NP: [ASCII_DIGITS, /[\u0966-\u096F]/u], BD: [ASCII_DIGITS, /[\u09E6-\u09EF]/u] };

const byCountry = (countries: string, alphabets: PlateAlphabet[]) => countries.split(' ').map((country) => [country, alphabets] as const);
const ALPHABETS = new Map<string, PlateAlphabet[]>([
  ['DE', [GERMAN]],
  ...byCountry('HR SI BA ME', [SOUTH_SLAVIC]),
  ['RS', [SOUTH_SLAVIC, CYRILLIC]],
  ...byCountry('RU BY UA KZ KG BG MK MN TJ', [CYRILLIC, LATIN]),
  ['GR', [GREEK, LATIN]],
  ['JP', [JAPANESE, LATIN]],
  ['CN', [CHINESE]],
  ['KR', [HANGUL, LATIN]],
  ['TH', [THAI, LATIN]],
  ['NP', [DEVANAGARI, LATIN]],
  ['BD', [BENGALI, LATIN]],
  ['LA', [LAO, LATIN]],
  ['KH', [KHMER]],
  ['ET', [ETHIOPIC, LATIN]],
  ...byCountry('SA AE EG IQ JO KW QA BH OM LY SY YE MA TN DZ LB SD IR AF', [ARABIC, LATIN]),
]);
const ARABIC_SCRIPT_COUNTRIES = new Set([...ALPHABETS].filter(([, alphabets]) => alphabets.includes(ARABIC)).map(([country]) => country));

// Separators plates are written with: spaces, dots and hyphens everywhere; the middle dot of
// Chinese and Korean plates, the katakana middle dot of Japanese ones.
const SEPARATORS: Record<string, RegExp> = { CN: /[ .·-]/u, KR: /[ .·-]/u, JP: /[ .\u30FB-]/u };
const COMMON_SEPARATORS = /[ .-]/u;

const LETTER = /\p{L}/u;
const DIGIT = /\p{N}/u;
// Vowel signs and viramas belong to the letter before them (ভ্নো, ភ្নំ): the letter's alphabet decides.
// Only a script's own marks, on its letters: Latin, Greek and Cyrillic letters come precomposed
// (NFKC), and a generic mark (a strike-through, an enclosing circle) on any character disguises it.
const MARK = /\p{M}/u;
const GENERIC_MARK = /\p{Script=Inherited}/u;
const PRECOMPOSED_SCRIPTS = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]/u;
const SEPARATOR_RUN = /[ .·\u30FB-]{2}|[ .·\u30FB-]$/u;

/** Whether every mark of the plate is a vowel sign or virama of its script, on a letter of that script. */
function marksInPlace(chars: string[]): boolean {
  return chars.every((char, index) => {
    if (!MARK.test(char)) return true;
    let base = index - 1;
    while (base >= 0 && MARK.test(chars[base]!)) base -= 1;
    const letter = chars[base];
    return letter !== undefined && LETTER.test(letter) && !PRECOMPOSED_SCRIPTS.test(letter) && !GENERIC_MARK.test(char);
  });
}

/** Why `text` (normalised, upper-cased) cannot be a plate of `country`, or undefined. */
export function plateAlphabetProblem(text: string, country: string): string | undefined {
  const alphabets = ALPHABETS.get(country) ?? [LATIN];
  const digitSets = NATIVE_DIGITS[country] ?? (ARABIC_SCRIPT_COUNTRIES.has(country) ? ARABIC_DIGITS : [ASCII_DIGITS]);
  const separator = SEPARATORS[country] ?? COMMON_SEPARATORS;
  const chars = [...text];
  const letters = chars.filter((char) => LETTER.test(char));
  const digits = chars.filter((char) => DIGIT.test(char));
  const written = `must be written in ${alphabets.map((a) => a.name).join(' or ')} letters and digits for a ${country} plate`;
  if (chars.some((char) => !LETTER.test(char) && !DIGIT.test(char) && !MARK.test(char) && !separator.test(char)) || SEPARATOR_RUN.test(text)) {
    return `${written}, with single spaces, dots or hyphens between them`;
  }
  if (!marksInPlace(chars)) return `${written}: a vowel sign or virama only on a letter of its own script`;
  if (!alphabets.some((alphabet) => letters.every((char) => alphabet.letter.test(char)))) return `${written} (one alphabet, never mixed)`;
  if (!digitSets.some((set) => digits.every((char) => set.test(char)))) return `${written} (one kind of digits, never mixed)`;
  return undefined;
}
