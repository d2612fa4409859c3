// C0 and C1 control characters, and the bidirectional overrides and isolates that make a name
// display otherwise than it reads (U+202A-U+202E, U+2066-U+2069).
const CONTROL_OR_OVERRIDE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/**
 * A name shown to people: at least one visible character, no control or bidirectional-override
 * character. The empty string is left to minLength, so it fails once, as "must not be empty".
 */
export const isDisplayName = (value: string): boolean => value === '' || (/[^\s\p{Z}]/u.test(value) && !CONTROL_OR_OVERRIDE.test(value));

/** The schema format that holds names to isDisplayName, and what its failure says. */
export const DISPLAY_NAME_FORMAT = 'display-name';
export const DISPLAY_NAME_RULE = 'must contain a visible character, and no control or bidirectional-override characters';
