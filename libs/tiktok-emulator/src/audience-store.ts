import type { CalculateType, SingleCalculateType } from './calculate-types';
import type { ParsedCustomerFile } from './customer-file';
import { IdentifierSet } from '@conduit/compact-set';

/** Identifiers are hashes: 16 leading bytes identify one among billions (SHA-256 and MD5 alike). */
const FINGERPRINT_BYTES = 16;

export type AudienceAction = 'CREATE' | 'APPEND' | 'REMOVE' | 'REPLACE' | 'RENAME';

export interface StoredFile {
  filePath: string;
  advertiserId: string;
  calculateType: CalculateType;
  parsed: ParsedCustomerFile;
  bytes: number;
  md5: string;
  uploadedAt: Date;
}

export interface HistoryEntry {
  action: AudienceAction;
  filePaths: string[];
  sizeAfter: number;
  at: Date;
}

/** The identifiers of one type in an audience, with an order-independent digest (XOR of the values). */
class TypedIdentifiers {
  readonly set = new IdentifierSet(FINGERPRINT_BYTES);
  readonly digest = Buffer.alloc(32);
  matched = 0;

  constructor(private readonly matchThreshold: number) {}

  add(value: Buffer): void {
    if (this.set.add(value.subarray(0, FINGERPRINT_BYTES))) this.toggle(value, 1);
  }

  remove(value: Buffer): void {
    if (this.set.delete(value.subarray(0, FINGERPRINT_BYTES))) this.toggle(value, -1);
  }

  private toggle(value: Buffer, direction: 1 | -1): void {
    for (let index = 0; index < value.length; index++) this.digest[index] ^= value[index];
    if (value[1] < this.matchThreshold) this.matched += direction;
  }
}

/** One custom audience and its identifier sets (APPEND / REMOVE / REPLACE with set semantics). */
export class Audience {
  readonly history: HistoryEntry[] = [];
  private identifiers = new Map<SingleCalculateType, TypedIdentifiers>();
  processingUntil: Date;
  updatedAt: Date;

  constructor(
    readonly id: string,
    readonly advertiserId: string,
    public name: string,
    readonly calculateType: CalculateType,
    readonly retentionInDays: number | undefined,
    readonly createdAt: Date,
    private readonly matchThreshold: number,
  ) {
    this.processingUntil = createdAt;
    this.updatedAt = createdAt;
  }

  /** Distinct identifiers held. */
  get size(): number {
    let total = 0;
    for (const typed of this.identifiers.values()) total += typed.set.size;
    return total;
  }

  /** Identifiers that "match a TikTok user" (deterministic per identifier): the audience's cover_num. */
  get matched(): number {
    let total = 0;
    for (const typed of this.identifiers.values()) total += typed.matched;
    return total;
  }

  /** Per type: how many identifiers and the XOR of their values (hex), for exact assertions in tests. */
  contents(): Record<string, { count: number; digest: string }> {
    return Object.fromEntries(
      [...this.identifiers.entries()].map(([type, typed]) => [
        type,
        { count: typed.set.size, digest: typed.digest.toString('hex') },
      ]),
    );
  }

  /** The size the audience would have after the action, computed without changing anything. */
  sizeAfter(action: 'APPEND' | 'REMOVE' | 'REPLACE', files: StoredFile[]): number {
    const incoming = new Map<SingleCalculateType, IdentifierSet>();
    for (const file of files) {
      for (const [type, list] of file.parsed.values) {
        let set = incoming.get(type);
        if (!set) incoming.set(type, (set = new IdentifierSet(FINGERPRINT_BYTES, list.length)));
        for (const value of list.values()) set.add(value.subarray(0, FINGERPRINT_BYTES));
      }
    }
    let distinctIncoming = 0;
    let alreadyPresent = 0;
    for (const [type, set] of incoming) {
      distinctIncoming += set.size;
      const existing = this.identifiers.get(type)?.set;
      if (existing) for (const fingerprint of set.values()) if (existing.has(fingerprint)) alreadyPresent++;
    }
    if (action === 'APPEND') return this.size + distinctIncoming - alreadyPresent;
    if (action === 'REMOVE') return this.size - alreadyPresent;
    return distinctIncoming;
  }

  apply(
    action: 'CREATE' | 'APPEND' | 'REMOVE' | 'REPLACE',
    files: StoredFile[],
    now: Date,
    processingMs: number,
  ): void {
    if (action === 'REPLACE') this.identifiers = new Map();
    for (const file of files) {
      for (const [type, list] of file.parsed.values) {
        let typed = this.identifiers.get(type);
        if (!typed) this.identifiers.set(type, (typed = new TypedIdentifiers(this.matchThreshold)));
        for (const value of list.values()) {
          if (action === 'REMOVE') typed.remove(value);
          else typed.add(value);
        }
      }
    }
    this.record(
      action,
      files.map((file) => file.filePath),
      now,
    );
    this.processingUntil = new Date(now.getTime() + processingMs);
  }

  record(action: AudienceAction, filePaths: string[], now: Date): void {
    this.history.push({ action, filePaths, sizeAfter: this.size, at: now });
    this.updatedAt = now;
  }
}

/** XOR digest of hex values, as the emulator reports per type: for tests that know what they sent. */
export function xorDigest(hexValues: Iterable<string>): string {
  const digest = Buffer.alloc(32);
  for (const hex of hexValues) {
    const value = Buffer.from(hex, 'hex');
    for (let index = 0; index < value.length; index++) digest[index] ^= value[index];
  }
  return digest.toString('hex');
}
