// Refused anywhere in a name: C0 and C1 control characters, line and paragraph separators, the
// Braille blank, the object replacement character (it stands for an object that is not there),
// private-use and unassigned code points (they show as whatever a font makes of them, or nothing:
// a character newer than this Node's Unicode is refused too), noncharacters, and every format
// character (Cf) or default-ignorable code point (Unicode's set
// of what renderers show as nothing, assigned or not: bidirectional overrides and isolates,
// zero-width space, soft hyphen, word joiner, BOM, the Hangul fillers, the combining grapheme
// joiner, the Khmer inherent vowels, U+2065, U+FFF0-FFF8, U+E0000 …), which make a name display
// otherwise than it reads or two names look the same ("Ann" and "An\u200Bn").
// Left to IN_PLACE_ONLY below: the joiners, the direction marks, the variation selectors and the
// tag characters, which do work in some places and hide in all others.
const FORBIDDEN =
  /[\p{Cc}\p{Co}\p{Cn}\u2028\u2029\u2800\uFFFC]|(?![\u200C-\u200F\u061C\u{E0020}-\u{E007F}]|\p{Variation_Selector})[\p{Cf}\p{Default_Ignorable_Code_Point}]|(?<![\u1820-\u18AA])[\u180B-\u180D\u180F]/u;

const anyOf = (property: string, values: string[]) => values.map((value) => `\\p{${property}=${value}}`).join('');
// Scripts whose letters join (Persian "می‌خواهم"): a non-joiner between two of their letters breaks
// the join; a joiner shows a joining form at a word's edge (a joiner between two letters that join anyway does nothing).
const JOINING = anyOf('Script_Extensions', ['Arabic', 'Syriac', 'Nko', 'Mongolian', 'Phags_Pa', 'Manichaean', 'Psalter_Pahlavi', 'Adlam', 'Hanifi_Rohingya', 'Mandaic']);
// The viramas of the Brahmic scripts: a joiner or non-joiner beside one picks a half form, an
// explicit virama or a chillu (Devanagari "क्‍ष", Malayalam "ന്‍", Bengali "র‍্য", Sinhala "ශ්‍රී").
const VIRAMA =
  '\\u094D\\u09CD\\u0A4D\\u0ACD\\u0B4D\\u0BCD\\u0C4D\\u0CCD\\u0D3B\\u0D3C\\u0D4D\\u0DCA\\u0E3A\\u0EBA\\u0F84\\u1039\\u103A\\u1714\\u1715\\u1734\\u17D2\\u1A60\\u1B44\\u1BAA\\u1BAB' +
  '\\u1BF2\\u1BF3\\uA806\\uA82C\\uA8C4\\uA953\\uA9C0\\uAAF6\\uABED\\u{10A3F}\\u{11046}\\u{11070}\\u{1107F}\\u{110B9}\\u{11133}\\u{11134}\\u{111C0}\\u{11235}\\u{112EA}\\u{1134D}' +
  '\\u{11442}\\u{114C2}\\u{115BF}\\u{1163F}\\u{116B6}\\u{1172B}\\u{11839}\\u{1193D}\\u{1193E}\\u{119E0}\\u{11A34}\\u{11A47}\\u{11A99}\\u{11C3F}\\u{11D44}\\u{11D45}\\u{11D97}\\u{11F41}\\u{11F42}';
const JOINING_LETTER = `(?=[${JOINING}])\\p{L}\\p{M}*`;
const RIGHT_TO_LEFT = new RegExp(`[${anyOf('Script', ['Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Nko', 'Samaritan', 'Mandaic', 'Adlam', 'Hanifi_Rohingya', 'Yezidi'])}]`, 'u');
// Characters with standardized or emoji variants: pictographs (☺️), Han ideographs (ideographic
// variation sequences), math symbols, a few scripts and CJK punctuation marks.
const HAS_VARIANTS = `\\p{Extended_Pictographic}\\p{Sm}${anyOf('Script', ['Han', 'Myanmar', 'Phags_Pa', 'Manichaean', 'Egyptian_Hieroglyphs'])}\\u2018\\u2019\\u201C\\u201D\\u3001\\u3002\\uFF01\\uFF0C\\uFF0E\\uFF1A\\uFF1B\\uFF1F`;

// The invisible characters IN_PLACE_ONLY keeps: between them, marks still count as one stack.
const KEPT_INVISIBLE = '(?:[\\u200C\\u200E\\u200F\\u061C]|\\u200D|[\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}])';
// Combining marks pile up on one character ("Zalgo" text covers its neighbours); real spelling
// stacks a few (Vietnamese two, Tibetan up to five). A joiner or direction mark does not end a stack.
const STACKED_MARKS = new RegExp(`(?:\\p{M}${KEPT_INVISIBLE}*){7}`, 'u');
// A combining mark first, or right after a direction mark, has no character to sit on: it draws
// over whatever is shown before it.
const UNSEATED_MARK = /^[\u200C-\u200F\u061C]*\p{M}|[\u200E\u200F\u061C]\p{M}/u;

const DIRECTION_MARK = /[\u200E\u200F\u061C]/u;
const LETTER = /\p{L}/u;
const COMBINING = /\p{M}/u;
const DIGIT = /\p{Nd}/u;
const NUMBER_SEPARATOR = /[-+.,:/\u2212\u066B\u066C]/u;

/**
 * A direction mark that reorders what is shown or does nothing: next to another mark or a
 * combining mark, between two letters (an LRM inside an Arabic word moves its first letter to
 * the other end), inside a number ("12‏-34" shows as "34-12"), or first before a letter (it
 * turns the paragraph's direction). Pasted right-to-left text keeps its marks beside spaces,
 * punctuation and the ends of numbers, where they place neutral characters.
 */
function hasMisplacedDirectionMark(value: string): boolean {
  const chars = [...value];
  const at = (index: number) => chars[index] ?? '';
  return chars.some((char, index) => {
    if (!DIRECTION_MARK.test(char)) return false;
    let before = index - 1;
    while (before >= 0 && COMBINING.test(at(before))) before -= 1;
    const [previous, next] = [at(before), at(index + 1)];
    if (DIRECTION_MARK.test(next) || COMBINING.test(next)) return true;
    if (index === 0 && LETTER.test(next)) return true;
    if (LETTER.test(previous) && LETTER.test(next)) return true;
    const digitBefore = DIGIT.test(previous) || (NUMBER_SEPARATOR.test(previous) && DIGIT.test(at(before - 1)));
    const digitAfter = DIGIT.test(next) || (NUMBER_SEPARATOR.test(next) && DIGIT.test(at(index + 2)));
    return (DIGIT.test(previous) && digitAfter) || (digitBefore && DIGIT.test(next));
  });
}

interface InPlaceOnly {
  chars: RegExp;
  outOfPlace(value: string): boolean;
}

/** `chars` may stand where `inPlace` matches them (a global regex), nowhere else. */
const inPlaceOnly = (chars: RegExp, inPlace: RegExp): InPlaceOnly => ({ chars, outOfPlace: (value) => chars.test(value.replace(inPlace, '')) });

/** Characters that do their work only in some places; anywhere else they hide ("Ad\u200Dmin" shows as "Admin"). */
const IN_PLACE_ONLY: InPlaceOnly[] = [
  // Joiners: a non-joiner between two letters of a joining script; a joiner at the edge of a word
  // of one; either beside a virama; a joiner within an emoji sequence (👩‍💻, 🏳️‍🌈).
  inPlaceOnly(
    /[\u200C\u200D]/u,
    new RegExp(
      [
        `(?<=${JOINING_LETTER})\\u200C(?=${JOINING_LETTER})`,
        `(?<=${JOINING_LETTER})\\u200D(?![\\p{L}\\p{M}])`,
        `(?<![\\p{L}\\p{M}])\\u200D(?=${JOINING_LETTER})`,
        `(?<=[${VIRAMA}])[\\u200C\\u200D]|(?<=\\p{L})[\\u200C\\u200D](?=[${VIRAMA}])`,
        `(?<=[\\p{Extended_Pictographic}\\p{Emoji_Modifier}]\\uFE0F?)\\u200D(?=\\p{Extended_Pictographic})`,
      ].join('|'),
      'gu',
    ),
  ),
  // Variation selectors: right after a character that has variants, or within a keycap (1️⃣).
  inPlaceOnly(
    /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u,
    new RegExp(`(?<=[${HAS_VARIANTS}])[\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}]|(?<=[#*0-9])[\\uFE0E\\uFE0F](?=\\u20E3)`, 'gu'),
  ),
  // Tag characters: only as the three subdivision flags Unicode recommends (🏴 + "gbeng", "gbsct" or
  // "gbwls" in tags + cancel tag: England, Scotland, Wales). Any other run of tags is hidden text.
  inPlaceOnly(/[\u{E0020}-\u{E007F}]/u, /\u{1F3F4}(?:\u{E0067}\u{E0062}(?:\u{E0065}\u{E006E}\u{E0067}|\u{E0073}\u{E0063}\u{E0074}|\u{E0077}\u{E006C}\u{E0073}))\u{E007F}/gu),
  // Direction marks: in text that holds right-to-left letters (pasted names often carry one), and only where they place neutral characters.
  { chars: DIRECTION_MARK, outOfPlace: (value) => !RIGHT_TO_LEFT.test(value) || hasMisplacedDirectionMark(value) },
];

/** Whether the text holds a character no name or shown text may hold: FORBIDDEN anywhere, or an IN_PLACE_ONLY one out of place. */
function hasForbidden(value: string): boolean {
  if (FORBIDDEN.test(value) || STACKED_MARKS.test(value) || UNSEATED_MARK.test(value)) return true;
  return IN_PLACE_ONLY.some(({ chars, outOfPlace }) => chars.test(value) && outOfPlace(value));
}

// A character that shows: not a space or separator, not a format character or default-ignorable
// code point (zero-width space, joiners, BOM, tags, the Hangul fillers), not a combining mark
// alone, and not the Braille blank.
const VISIBLE = /[^\s\p{Z}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\p{Cc}\u2800]/u;

// Scripts whose letters pass for Latin ones (A/Α/А/Ꭺ/ꓮ/Ⲁ/𐊠, o/ο/о/օ): one word of a name never
// mixes them ("Аdmin" with a Cyrillic А is not "Admin"); small capitals ("ᴀ") count as a script of
// their own. Words of several scripts may stand side by side ("Иван Smith"); a word here is what
// stands between spaces (ordinary, no-break, ideographic), so punctuation ("А.dmin") does not split one. Greek θ is no
// lookalike, and Salish and Americanist spellings write it in Latin words ("Xwməθkwəy̓əm").
const LOOKALIKE_SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Cherokee', 'Lisu', 'Coptic', 'Canadian_Aboriginal', 'Tifinagh', 'Osage', 'Georgian', 'Runic',
  'Old_Italic', 'Carian', 'Lycian', 'Gothic', 'Old_Permic', 'Deseret', 'Vai', 'Bamum',
].map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);
const NOT_LOOKALIKE = /[θϑ]/u;
const SMALL_CAPITALS = /[\u1D00-\u1D2B]/u;
const WORD = /[^ \u00A0\u3000]+/gu;
const ASCII_ONLY = /^[\x20-\x7E]*$/;

function lookalikeGroupOf(char: string): string | undefined {
  if (!LETTER.test(char) || NOT_LOOKALIKE.test(char)) return undefined;
  if (SMALL_CAPITALS.test(char)) return 'small capitals';
  return LOOKALIKE_SCRIPTS.find(([, script]) => script.test(char))?.[0];
}

const mixesLookalikeScripts = (value: string) =>
  (value.match(WORD) ?? []).some((word) => new Set([...word].map(lookalikeGroupOf).filter((group) => group !== undefined)).size > 1);

// Letters restyled (full-width "ｉ", math bold "𝐢", circled "Ⓐ", Roman numeral "ⅰ", letterlike "ℌ",
// ligature "ﬁ"): their compatibility form (NFKC) is a plain letter of a lookalike script, and they
// only make a name pass for another ("𝐀𝐝𝐦𝐢𝐧" for "Admin"). Modifier letters (ʷ, ʰ), the
// Slavic and Dutch digraph letters (ǅ, ǉ, ĳ) and Catalan ŀ are spelling, and stay.
const SPELLING_COMPATIBILITY = /[\p{Lm}\u01C4-\u01CC\u01F1-\u01F3\u0132\u0133\u013F\u0140]/u;
function isRestyledLetter(char: string): boolean {
  if (SPELLING_COMPATIBILITY.test(char)) return false;
  const folded = char.normalize('NFKC');
  return folded !== char && [...folded].some((part) => lookalikeGroupOf(part) !== undefined);
}
// Spaces narrower than the ordinary one (hair, thin, six-per-em, narrow no-break …) and the Ogham
// space mark: between letters they hide a word's boundary ("А\u200Admin" shows as "Аdmin").
const ODD_SPACE = /[\u1680\u2000-\u200A\u202F\u205F]/u;

const disguisesLetters = (value: string) => !ASCII_ONLY.test(value) && (ODD_SPACE.test(value) || [...value].some(isRestyledLetter) || mixesLookalikeScripts(value));

/**
 * A name shown to people: at least one character that shows, no control, separator or
 * bidirectional-override character, and nothing that passes for other letters (a word of
 * lookalike scripts mixed, a restyled letter, an odd space). The empty string is left to
 * minLength, so it fails once, as "must not be empty".
 */
export const isDisplayName = (value: string): boolean => value === '' || (VISIBLE.test(value) && !hasForbidden(value) && !disguisesLetters(value));

/**
 * An id a partner gives its user (Coord's external_uid): a display name, typed one way only, so
 * that no second id looks like it ("u-1 ", "u‐1" or "u−1" with a Unicode hyphen or minus,
 * "a∕b" with a division slash, full-width "ｕ-1", a decomposed "José", a doubled space): in
 * compatibility form (NFKC, which is NFC too), single-spaced with none around it, and beyond
 * ASCII only letters, combining marks and digits: no other punctuation or symbol, and none of the
 * modifier letters that pass for punctuation (ʼ, ː, ꞉; the katakana prolonged sound mark stays).
 */
const NON_ASCII_SIGN = /(?![\x20-\x7E])[^\p{L}\p{M}\p{Nd}]|[\u02B0-\u02FF\uA700-\uA721\uA788-\uA78A]/u;
export const isExternalId = (value: string): boolean =>
  isDisplayName(value) && value === value.trim() && value === value.normalize('NFKC') && !/\s{2}/u.test(value) && !NON_ASCII_SIGN.test(value);

/**
 * Other text shown to people (an address line, a profile field): no control, separator,
 * bidirectional-override or invisible character; it may be empty or blank.
 */
export const isPlainText = (value: string): boolean => !hasForbidden(value);

export const PLAIN_TEXT_FORMAT = 'plain-text';
export const PLAIN_TEXT_RULE = 'must not contain control, line-separator, bidirectional-override or invisible characters';

/** The schema format that holds names to isDisplayName, and what its failure says. */
export const DISPLAY_NAME_FORMAT = 'display-name';
export const DISPLAY_NAME_RULE =
  'must contain a visible character, and no control, line-separator, bidirectional-override or invisible characters, nor letters that pass for others (lookalike scripts mixed in a word, restyled letters)';

export const EXTERNAL_ID_FORMAT = 'external-id';
export const EXTERNAL_ID_RULE = `${DISPLAY_NAME_RULE}; in Unicode NFKC, single-spaced with no space around it, and beyond ASCII only letters, marks and digits`;

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A name cut to at most `max` characters (code points, as the faces count them) at a grapheme
 * boundary: never through a surrogate pair or an emoji sequence.
 */
export function cutName(name: string, max: number): string {
  let cut = '';
  let length = 0;
  for (const { segment } of GRAPHEMES.segment(name)) {
    const size = [...segment].length;
    if (length + size > max) break;
    cut += segment;
    length += size;
  }
  return cut;
}
