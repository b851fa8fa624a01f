import { newId } from './ids';
import { decodeCursor, encodeCursor, pageLimit, toPage } from './pagination';
import { DomainException, ErrorCode } from './domain.exception';

describe('newId', () => {
  it('prefixes a ULID', () => {
    expect(newId('cmp')).toMatch(/^cmp_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts in creation order even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('key'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('pagination', () => {
  it('round-trips a cursor', () => {
    const id = newId('clb');
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it.each([
    'garbage',
    '',
    Buffer.from('{"after":1}').toString('base64url'),
    Buffer.from('{"after":"x; drop"}').toString('base64url'),
  ])('rejects the cursor %p with INVALID_CURSOR on field cursor', (cursor) => {
    let caught: unknown;
    try {
      decodeCursor(cursor);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainException);
    expect((caught as DomainException).code).toBe(ErrorCode.INVALID_CURSOR);
    expect((caught as DomainException).details?.[0].field).toBe('cursor');
  });

  it('clamps limits and builds pages from limit + 1 rows', () => {
    expect(pageLimit({})).toBe(50);
    expect(pageLimit({ limit: 1000 })).toBe(200);
    expect(pageLimit({ limit: 0 })).toBe(1);
    const rows = ['a', 'b', 'c'].map(() => ({ id: newId('key') }));
    expect(toPage(rows, 2)).toEqual({ data: rows.slice(0, 2), nextCursor: encodeCursor(rows[1].id) });
    expect(toPage(rows, 3)).toEqual({ data: rows, nextCursor: null });
  });
});
