import { createHash } from 'node:crypto';
import { MULTI_KEYS, type MultiKey } from '@conduit/destinations-meta-wire';
import type { MemberRow, SchemaFamily } from './users-payload';

interface Member {
  row: MemberRow;
  matched: boolean;
}

/**
 * A customer-list audience's people: one member per distinct row of identifiers. A removal row takes
 * out every member that shares one of its identifiers (Meta matches people by any key).
 */
export class AudienceMembers {
  private readonly members = new Map<string, Member>();
  /** `KEY value` → the members holding it. */
  private readonly index = new Map<string, Set<string>>();
  private matchedCount = 0;

  constructor(private readonly matchThreshold: number) {}

  get size(): number {
    return this.members.size;
  }

  get matched(): number {
    return this.matchedCount;
  }

  add(rows: readonly MemberRow[]): void {
    for (const row of rows) {
      const id = JSON.stringify(row);
      if (this.members.has(id)) continue;
      const matched = createHash('sha256').update(id).digest()[0] < this.matchThreshold;
      this.members.set(id, { row, matched });
      if (matched) this.matchedCount++;
      for (const [key, value] of row) {
        const cell = `${key} ${value}`;
        const holders = this.index.get(cell) ?? new Set<string>();
        holders.add(id);
        this.index.set(cell, holders);
      }
    }
  }

  remove(rows: readonly MemberRow[]): void {
    for (const row of rows) {
      for (const [key, value] of row) {
        for (const id of [...(this.index.get(`${key} ${value}`) ?? [])]) this.delete(id);
      }
    }
  }

  clear(): void {
    this.members.clear();
    this.index.clear();
    this.matchedCount = 0;
  }

  /** Every value held per key, sorted: what a spec compares with what it sent. */
  identifiers(): Partial<Record<MultiKey, string[]>> {
    const byKey = new Map<MultiKey, Set<string>>();
    for (const { row } of this.members.values())
      for (const [key, value] of row) {
        const values = byKey.get(key) ?? new Set<string>();
        values.add(value);
        byKey.set(key, values);
      }
    return Object.fromEntries(
      MULTI_KEYS.filter((key) => byKey.has(key)).map((key) => [key, [...(byKey.get(key) ?? [])].sort()]),
    );
  }

  private delete(id: string): void {
    const member = this.members.get(id);
    if (!member) return;
    this.members.delete(id);
    if (member.matched) this.matchedCount--;
    for (const [key, value] of member.row) {
      const cell = `${key} ${value}`;
      const holders = this.index.get(cell);
      holders?.delete(id);
      if (holders?.size === 0) this.index.delete(cell);
    }
  }
}

/** A custom audience of subtype CUSTOM (customer list) in one ad account. */
export class Audience {
  readonly members: AudienceMembers;
  family?: SchemaFamily;
  updatedAt: number;
  contentUpdatedAt?: number;
  /** Until then, the approximate counts still show `reportedMatched` (the previous figure). */
  processingUntil = 0;
  /** The matched count Meta last reported; undefined before the first upload was processed. */
  private reported?: number;
  /** Set when a replace session timed out: 415 until the next complete replace. */
  replaceFailed = false;

  constructor(
    readonly id: string,
    readonly adAccountId: string,
    public name: string,
    public description: string,
    public customerFileSource: string,
    readonly createdAt: number,
    matchRate: number,
  ) {
    this.members = new AudienceMembers(Math.round(matchRate * 256));
    this.updatedAt = createdAt;
  }

  /** Changes the membership at `now` through `mutate`: the counts catch up after `delayMs`. */
  update(now: number, delayMs: number, mutate: (members: AudienceMembers) => void): void {
    this.reported = this.reportedAt(now);
    mutate(this.members);
    this.contentUpdatedAt = now;
    this.processingUntil = now + delayMs;
  }

  /** The matched count Meta reports at `now`: the previous one while processing. */
  reportedAt(now: number): number | undefined {
    if (this.contentUpdatedAt === undefined) return undefined;
    return now >= this.processingUntil ? this.members.matched : this.reported;
  }

  finishProcessing(now: number): void {
    this.processingUntil = Math.min(this.processingUntil, now);
  }
}
