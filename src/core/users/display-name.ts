// Refused anywhere in a name: C0 and C1 control characters, line and paragraph separators, and
// every format character (Cf: bidirectional overrides and isolates, zero-width space, soft hyphen,
// word joiner, invisible operators, BOM, interlinear annotations, tags outside a flag), which make
// a name display otherwise than it reads or two names look the same ("Ann" and "An\u200Bn"); and
// the characters that show nothing though they are not Cf: the Hangul fillers, the Braille blank,
// the combining grapheme joiner, the Khmer inherent vowels, noncharacters.
// Kept: the zero-width joiner and non-joiner (emoji sequences, Persian and Indic spelling), the
// direction marks (right-to-left names are often pasted with one), variation selectors (emoji),
// and tag characters within a flag sequence (🏴 + tags + cancel tag: England, Scotland, Wales).
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u115F\u1160\u3164\uFFA0\u2800\uFDD0-\uFDEF\uFFFE\uFFFF]|\u034F|\u17B4|\u17B5|(?![\u200C-\u200F\u061C\u{E0020}-\u{E007F}])\p{Cf}/u;
const TAG = /[\u{E0020}-\u{E007F}]/u;
const FLAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;

/** Whether the text holds a character no name or shown text may hold (FORBIDDEN, or a tag outside a flag). */
function hasForbidden(value: string): boolean {
  if (FORBIDDEN.test(value)) return true;
  return TAG.test(value) && TAG.test(value.replace(FLAG_SEQUENCE, ''));
}

// A character that shows: not a space or separator, not a format character (zero-width space,
// joiners, BOM, tags), not a combining mark alone, and none of the blank "letters" (Hangul fillers,
// the Braille blank).
const VISIBLE = /[^\s\p{Z}\p{Cf}\p{Mn}\p{Me}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800]/u;

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
