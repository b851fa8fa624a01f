import { DomainException, ErrorCode } from './domain.exception';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** A page of a list ordered by id (ids are ULID-based, so this is creation order). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string;
}

interface CursorPayload {
  after: string;
}

/** Cursors are opaque to clients: base64url of the last id returned. */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId } satisfies CursorPayload)).toString('base64url');
}

/** Returns the id to continue after, or throws INVALID_CURSOR for anything we did not issue. */
export function decodeCursor(cursor: string): string {
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPayload>;
    if (typeof payload.after === 'string' && /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/.test(payload.after)) {
      return payload.after;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainException(
    ErrorCode.INVALID_CURSOR,
    'The cursor is not one this API returned; pass the nextCursor of a previous page, or omit it to start from the beginning.',
    [{ field: 'cursor', rule: 'cursor', message: 'must be a nextCursor value returned by this list' }],
  );
}

/** Clamps a requested page size into [1, MAX_PAGE_LIMIT]; the API validates it first. */
export function pageLimit(request: PageRequest): number {
  return Math.min(Math.max(request.limit ?? DEFAULT_PAGE_LIMIT, 1), MAX_PAGE_LIMIT);
}

/** Builds a page from `limit + 1` rows fetched in id order: the extra row only says "there is more". */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { data, nextCursor: hasMore && data.length > 0 ? encodeCursor(data[data.length - 1].id) : null };
}
