import { decodeTime, isValid } from 'ulid';
import { newRequestId } from './request-id';

describe('newRequestId', () => {
  it('mints ULIDs carrying the time, all different', () => {
    const now = Date.UTC(2026, 10, 30, 8, 0, 0);
    const ids = Array.from({ length: 2000 }, () => newRequestId(now));
    for (const id of ids.slice(0, 50)) {
      expect(isValid(id)).toBe(true);
      expect(decodeTime(id)).toBe(now);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('spreads its random characters over the whole alphabet', () => {
    const seen = new Set(
      Array.from({ length: 500 }, () => newRequestId().slice(10))
        .join('')
        .split(''),
    );
    expect(seen.size).toBe(32);
  });
});
