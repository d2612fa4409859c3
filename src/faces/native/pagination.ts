/**
 * Lists keep seed 003's bare-array bodies; the next page is announced in a Link header
 * (RFC 8288). `rows` holds one more item than the page when there is a next page.
 */
export function nextPageLink(publicUrl: string, path: string, rows: ReadonlyArray<{ id: string }>, limit: number): string | undefined {
  if (rows.length <= limit) return undefined;
  const last = rows[limit - 1]!;
  const query = new URLSearchParams({ limit: String(limit), starting_after: last.id });
  return `<${publicUrl}${path}?${query.toString()}>; rel="next"`;
}
