// Refused anywhere in a name: C0 and C1 control characters, line and paragraph separators, the
// Braille blank, noncharacters, and every format character (Cf) or default-ignorable code point
// (Unicode's set of what renderers show as nothing, assigned or not: bidirectional overrides and
// isolates, zero-width space, soft hyphen, word joiner, BOM, the Hangul fillers, the combining
// grapheme joiner, the Khmer inherent vowels, U+2065, U+FFF0-FFF8, U+E0000 …), which make a name
// display otherwise than it reads or two names look the same ("Ann" and "An\u200Bn").
// Kept: the zero-width joiner and non-joiner (emoji sequences, Persian and Indic spelling), the
// direction marks (right-to-left names are often pasted with one), variation selectors (emoji),
// tag characters within a flag sequence (🏴 + tags + cancel tag: England, Scotland, Wales), and
// the Mongolian free variation selectors right after a Mongolian letter (elsewhere they hide).
const FORBIDDEN =
  /[\p{Cc}\u2028\u2029\u2800\p{Noncharacter_Code_Point}]|(?![\u200C-\u200F\u061C\u{E0020}-\u{E007F}]|\p{Variation_Selector})[\p{Cf}\p{Default_Ignorable_Code_Point}]|(?<![\u1820-\u18AA])[\u180B-\u180D\u180F]/u;
const TAG = /[\u{E0020}-\u{E007F}]/u;
const FLAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;

/** Whether the text holds a character no name or shown text may hold (FORBIDDEN, or a tag outside a flag). */
function hasForbidden(value: string): boolean {
  if (FORBIDDEN.test(value)) return true;
  return TAG.test(value) && TAG.test(value.replace(FLAG_SEQUENCE, ''));
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
