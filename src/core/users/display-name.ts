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
// Scripts whose spelling uses the zero-width joiner and non-joiner: the joining scripts (Persian
// "می‌خواهم") and the Brahmic scripts of South and Southeast Asia (Devanagari "क्‍ष", Malayalam "ന്‍").
const JOINING = anyOf('Script_Extensions', [
  'Arabic', 'Syriac', 'Nko', 'Mongolian', 'Phags_Pa', 'Manichaean', 'Psalter_Pahlavi', 'Adlam', 'Hanifi_Rohingya', 'Mandaic',
  'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Tibetan',
  'Myanmar', 'Khmer', 'Javanese', 'Balinese', 'Sundanese', 'Tirhuta', 'Grantha', 'Newa', 'Chakma', 'Limbu', 'Sharada', 'Takri', 'Kaithi', 'Modi',
]);
const RIGHT_TO_LEFT = new RegExp(`[${anyOf('Script', ['Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Nko', 'Samaritan', 'Mandaic', 'Adlam', 'Hanifi_Rohingya', 'Yezidi'])}]`, 'u');
// Characters with standardized or emoji variants: pictographs (☺️), Han ideographs (ideographic
// variation sequences), math symbols, a few scripts and CJK punctuation marks.
const HAS_VARIANTS = `\\p{Extended_Pictographic}\\p{Sm}${anyOf('Script', ['Han', 'Myanmar', 'Phags_Pa', 'Manichaean', 'Egyptian_Hieroglyphs'])}\\u2018\\u2019\\u201C\\u201D\\u3001\\u3002\\uFF01\\uFF0C\\uFF0E\\uFF1A\\uFF1B\\uFF1F`;

const MARK = '[\\u200E\\u200F\\u061C]';
const LEFT_TO_RIGHT_LETTER = `(?!${RIGHT_TO_LEFT.source})\\p{L}`;
// Where a mark does nothing: between two left-to-right letters, between two digits, or beside another mark.
const IDLE_MARK = new RegExp(`(?<=${LEFT_TO_RIGHT_LETTER}\\p{M}*)${MARK}(?=${LEFT_TO_RIGHT_LETTER})|(?<=\\p{Nd})${MARK}(?=\\p{Nd})|${MARK}{2}`, 'u');
// Combining marks pile up on one character ("Zalgo" text covers its neighbours); real spelling
// stacks a few (Vietnamese two, Tibetan up to five).
const STACKED_MARKS = /\p{M}{7}/u;
// A combining mark first has no character to sit on: it draws over whatever is shown before the text.
const LEADING_MARK = /^\p{M}/u;

interface InPlaceOnly {
  chars: RegExp;
  outOfPlace(value: string): boolean;
}

/** `chars` may stand where `inPlace` matches them (a global regex), nowhere else. */
const inPlaceOnly = (chars: RegExp, inPlace: RegExp): InPlaceOnly => ({ chars, outOfPlace: (value) => chars.test(value.replace(inPlace, '')) });

/** Characters that do their work only in some places; anywhere else they hide ("Ad\u200Dmin" shows as "Admin"). */
const IN_PLACE_ONLY: InPlaceOnly[] = [
  // Joiners: after a letter of a script that uses them, before another of it (or at the word's end), or a ZWJ within an emoji sequence (👩‍💻, 🏳️‍🌈).
  inPlaceOnly(
    /[\u200C\u200D]/u,
    new RegExp(`(?<=[${JOINING}])[\\u200C\\u200D](?=[${JOINING}]|[^\\p{L}\\p{M}]|$)|(?<=[\\p{Extended_Pictographic}\\p{Emoji_Modifier}]\\uFE0F?)\\u200D(?=\\p{Extended_Pictographic})`, 'gu'),
  ),
  // Variation selectors: right after a character that has variants, or within a keycap (1️⃣).
  inPlaceOnly(
    /[\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u,
    new RegExp(`(?<=[${HAS_VARIANTS}])[\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}]|(?<=[#*0-9])[\\uFE0E\\uFE0F](?=\\u20E3)`, 'gu'),
  ),
  // Tag characters: only as the three subdivision flags Unicode recommends (🏴 + "gbeng", "gbsct" or
  // "gbwls" in tags + cancel tag: England, Scotland, Wales). Any other run of tags is hidden text.
  inPlaceOnly(/[\u{E0020}-\u{E007F}]/u, /\u{1F3F4}(?:\u{E0067}\u{E0062}(?:\u{E0065}\u{E006E}\u{E0067}|\u{E0073}\u{E0063}\u{E0074}|\u{E0077}\u{E006C}\u{E0073}))\u{E007F}/gu),
  // Direction marks: in text that holds right-to-left letters (pasted names often carry one), and never where they do nothing (IDLE_MARK).
  { chars: new RegExp(MARK, 'u'), outOfPlace: (value) => !RIGHT_TO_LEFT.test(value) || IDLE_MARK.test(value) },
];

/** Whether the text holds a character no name or shown text may hold: FORBIDDEN anywhere, or an IN_PLACE_ONLY one out of place. */
function hasForbidden(value: string): boolean {
  if (FORBIDDEN.test(value) || STACKED_MARKS.test(value) || LEADING_MARK.test(value)) return true;
  return IN_PLACE_ONLY.some(({ chars, outOfPlace }) => chars.test(value) && outOfPlace(value));
}

// A character that shows: not a space or separator, not a format character or default-ignorable
// code point (zero-width space, joiners, BOM, tags, the Hangul fillers), not a combining mark
// alone, and not the Braille blank.
const VISIBLE = /[^\s\p{Z}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Mn}\p{Me}\p{Cc}\u2800]/u;

/**
 * A name shown to people: at least one character that shows, and no control, separator or
 * bidirectional-override character. The empty string is left to minLength, so it fails once,
 * as "must not be empty".
 */
export const isDisplayName = (value: string): boolean => value === '' || (VISIBLE.test(value) && !hasForbidden(value));

/**
 * Other text shown to people (an address line, a profile field): no control, separator,
 * bidirectional-override or invisible character; it may be empty or blank.
 */
export const isPlainText = (value: string): boolean => !hasForbidden(value);

export const PLAIN_TEXT_FORMAT = 'plain-text';
export const PLAIN_TEXT_RULE = 'must not contain control, line-separator, bidirectional-override or invisible characters';

/** The schema format that holds names to isDisplayName, and what its failure says. */
export const DISPLAY_NAME_FORMAT = 'display-name';
export const DISPLAY_NAME_RULE = 'must contain a visible character, and no control, line-separator, bidirectional-override or invisible characters';

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
