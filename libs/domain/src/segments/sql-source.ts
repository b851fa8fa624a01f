/**
 * A friendly first check of a segment query: one SELECT (or WITH … SELECT) statement. It is not the
 * guard — the database is (a READ ONLY transaction on PostgreSQL, a read-only connection with
 * `query_only` on SQLite) — so it only has to read SQL well enough to explain a refusal: string
 * literals, quoted identifiers, dollar-quoted bodies and comments are skipped, so a `--` or `;` inside
 * them neither hides nor invents a statement.
 */
export function checkReadOnlyQuery(query: string): string | undefined {
  const code = withoutLiterals(query);
  if (!/^\s*(select|with)\b/i.test(code)) return 'must be a single SELECT (or WITH … SELECT) statement';
  // A ";" followed by anything but spaces starts another statement.
  if (/;\s*\S/.test(code)) return 'must be a single statement (no ";" between statements)';
  return undefined;
}

/** The query with literals, quoted names and comments replaced by a space (unterminated: to the end). */
function withoutLiterals(query: string): string {
  let out = '';
  let i = 0;
  while (i < query.length) {
    const end = skipToken(query, i);
    if (end === i) {
      out += query[i];
      i += 1;
    } else {
      out += ' ';
      i = end;
    }
  }
  return out;
}

/** Where the literal, quoted name or comment starting at `i` ends, or `i` if none starts there. */
function skipToken(query: string, i: number): number {
  const two = query.slice(i, i + 2);
  if (two === '--') return lineEnd(query, i);
  if (two === '/*') return after(query, '*/', i + 2);
  const char = query[i];
  // A doubled quote ('it''s') reads as two literals side by side: the same characters are skipped.
  if (char === "'" || char === '"' || char === '`') return after(query, char, i + 1);
  if (char === '[') return after(query, ']', i + 1);
  // Anchored: only a `$` can start a tag ($body$, $$), and `$1` is a parameter, not a tag.
  const tag = /^\$[A-Za-z_]*\$/.exec(query.slice(i, i + 64))?.[0];
  return tag ? after(query, tag, i + tag.length) : i;
}

function lineEnd(query: string, from: number): number {
  const newline = query.indexOf('\n', from);
  return newline === -1 ? query.length : newline;
}

function after(query: string, closing: string, from: number): number {
  const found = query.indexOf(closing, from);
  return found === -1 ? query.length : found + closing.length;
}
