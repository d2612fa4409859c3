// Refused anywhere in a name: C0 and C1 control characters, line and paragraph separators, the
// bidirectional overrides and isolates that make a name display otherwise than it reads, and the
// invisible characters that make two names look the same ("Ann" and "An\u200Bn"): zero-width
// space, soft hyphen, word joiner and invisible operators, the Mongolian vowel separator, the BOM.
// Kept: the zero-width joiner and non-joiner (emoji sequences, Persian and Indic spelling) and the
// direction marks (right-to-left names pasted with one).
const FORBIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069\u200B\u00AD\u2060-\u2064\u180E\uFEFF]/u;

// A character that shows: not a space or separator, not a format character (zero-width space,
// joiners, BOM, tags), not a combining mark alone, and none of the blank "letters" (Hangul fillers,
// the Braille blank).
const VISIBLE = /[^\s\p{Z}\p{Cf}\p{Mn}\p{Me}\p{Cc}\u115F\u1160\u3164\uFFA0\u2800]/u;

/**
 * A name shown to people: at least one character that shows, and no control, separator or
 * bidirectional-override character. The empty string is left to minLength, so it fails once,
 * as "must not be empty".
 */
export const isDisplayName = (value: string): boolean => value === '' || (VISIBLE.test(value) && !FORBIDDEN.test(value));

/**
 * Other text shown to people (an address line, a profile field): no control, separator,
 * bidirectional-override or invisible character; it may be empty or blank.
 */
export const isPlainText = (value: string): boolean => !FORBIDDEN.test(value);

export const PLAIN_TEXT_FORMAT = 'plain-text';
export const PLAIN_TEXT_RULE = 'must not contain control, line-separator, bidirectional-override or invisible characters';

/** The schema format that holds names to isDisplayName, and what its failure says. */
export const DISPLAY_NAME_FORMAT = 'display-name';
export const DISPLAY_NAME_RULE = 'must contain a visible character, and no control, line-separator, bidirectional-override or invisible characters';
