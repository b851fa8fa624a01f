/** How many column names a message lists, and how long each may be: a header can hold a thousand. */
export const LISTED_COLUMNS = 20;
export const LISTED_NAME_LENGTH = 40;

/**
 * Column names for a message (`a, b, c … and 980 more`): the first `LISTED_COLUMNS`, each cut to
 * `LISTED_NAME_LENGTH` characters, so a wide or hostile header never makes the message huge.
 */
export function listColumns(names: readonly string[]): string {
  const listed = names.slice(0, LISTED_COLUMNS).map(shortName).join(', ');
  const more = names.length - LISTED_COLUMNS;
  return more > 0 ? `${listed} … and ${more} more` : listed;
}

/** A column name cut to `LISTED_NAME_LENGTH` characters (an ellipsis marks the cut). */
export function shortName(name: string): string {
  if (name.length <= LISTED_NAME_LENGTH) return name;
  let end = LISTED_NAME_LENGTH - 1;
  // Never cut a surrogate pair in two: half an emoji is not valid text.
  if (isHighSurrogate(name.charCodeAt(end - 1))) end -= 1;
  return `${name.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
