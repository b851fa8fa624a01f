import { createHash } from 'node:crypto';
import { IdentifierSet } from './identifier-set';

const key = (n: number) => createHash('sha256').update(String(n)).digest().subarray(0, 16);

describe('IdentifierSet', () => {
  it('adds, finds and deletes with set semantics', () => {
    const set = new IdentifierSet(16);
    expect(set.add(key(1))).toBe(true);
    expect(set.add(key(1))).toBe(false);
    expect(set.has(key(1))).toBe(true);
    expect(set.has(key(2))).toBe(false);
    expect(set.size).toBe(1);
    expect(set.delete(key(2))).toBe(false);
    expect(set.delete(key(1))).toBe(true);
    expect(set.has(key(1))).toBe(false);
    expect(set.size).toBe(0);
  });

  it('grows and survives heavy churn (tombstones)', () => {
    const set = new IdentifierSet(16, 16);
    for (let i = 0; i < 50_000; i++) set.add(key(i));
    for (let i = 0; i < 50_000; i += 2) set.delete(key(i));
    for (let i = 50_000; i < 60_000; i++) set.add(key(i));
    expect(set.size).toBe(35_000);
    for (let i = 0; i < 60_000; i++) expect(set.has(key(i))).toBe(i >= 50_000 || i % 2 === 1);
    expect([...set.values()]).toHaveLength(35_000);
  });

  it('copies keys (a caller may reuse its buffer)', () => {
    const set = new IdentifierSet(16);
    const buffer = Buffer.from(key(7));
    set.add(buffer);
    buffer.fill(0);
    expect(set.has(key(7))).toBe(true);
  });

  it('adds keys packed in one buffer at their offsets, as add() would', () => {
    const packed = Buffer.concat(
      [key(1), key(2), key(1), key(3)].map((k) => Buffer.concat([Buffer.from([9]), k])),
    );
    const set = new IdentifierSet(16);
    // Each key sits after a byte of something else: offsets 1, 18, 35, 52.
    expect([1, 18, 35, 52].map((offset) => set.addAt(packed, offset))).toEqual([true, true, false, true]);
    expect(set.size).toBe(3);
    for (const n of [1, 2, 3]) expect(set.has(key(n))).toBe(true);
    expect(set.add(key(2))).toBe(false);
  });
});
