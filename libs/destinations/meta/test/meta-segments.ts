import { createHmac } from 'node:crypto';
import type { ExportRequest, KeyMapping, SegmentRow } from '@conduit/destinations-core';
import type { InspectedAudience } from '@conduit/meta-emulator';
import { AD_ACCOUNT, APP, sha256, type MetaWorld } from './meta-fixture';

// Segments and export requests shared by the Meta int-specs.

export const USERS_ROUTE = 'POST /{audience_id}/users';

/** A person: an email, a phone written as people write it, and an upper-case mobile advertiser id. */
export function person(index: number): SegmentRow {
  const hex = index.toString(16).padStart(12, '0');
  return {
    email: ` Person${index}@Example.com `,
    phone: `+1 (415) 555-${String(1000 + index).slice(-4)}`,
    maid: `6D92078A-8246-4BA4-AE5B-${hex.toUpperCase()}`,
  };
}

/** What Meta must hold for a person: email and phone hashed (the phone from its digits, no `+`), the MADID as it is, lowercase. */
export function expectedOf(indexes: readonly number[]): {
  EMAIL: string[];
  PHONE: string[];
  MADID: string[];
} {
  const sorted = (values: string[]) => [...new Set(values)].sort();
  return {
    EMAIL: sorted(indexes.map((index) => sha256(`person${index}@example.com`))),
    PHONE: sorted(indexes.map((index) => sha256(`1415555${String(1000 + index).slice(-4)}`))),
    MADID: sorted(indexes.map((index) => `6d92078a-8246-4ba4-ae5b-${index.toString(16).padStart(12, '0')}`)),
  };
}

export const PERSON_MAPPING: readonly KeyMapping[] = [
  { column: 'email', keyType: 'EMAIL', encoding: 'RAW' },
  { column: 'phone', keyType: 'PHONE', encoding: 'RAW' },
  { column: 'maid', keyType: 'MAID', encoding: 'RAW' },
];
export const EMAIL_MAPPING: readonly KeyMapping[] = [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }];

export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, index) => from + index);

/** Rows `{ email }` for `<label>0@example.com`… (deterministic). */
export const emailRows = (count: number, label: string) =>
  async function* (): AsyncGenerator<SegmentRow> {
    for (let index = 0; index < count; index++) yield { email: `${label}${index}@example.com` };
  };

/** The people `indexes` (`person`), as a segment. */
export const rowsOf = (indexes: readonly number[]) =>
  async function* (): AsyncGenerator<SegmentRow> {
    for (const index of indexes) yield person(index);
  };

/** Export requests and inspections on one world. */
export function exportsOn(world: MetaWorld) {
  const config = (audienceName: string, action = 'Create', adAccountId = AD_ACCOUNT) => ({
    adAccountId,
    audienceName,
    action,
    customerFileSource: 'USER_PROVIDED_ONLY',
  });
  const request = (
    overrides: Partial<ExportRequest> & { segment: () => AsyncIterable<SegmentRow> },
  ): ExportRequest => {
    const { segment, ...rest } = overrides;
    return {
      exportId: 'exp_meta',
      rows: segment,
      mapping: EMAIL_MAPPING,
      config: config('Unnamed'),
      credentials: { accessToken: world.accessToken },
      ...rest,
    };
  };
  return {
    config,
    request,
    audience: (id: string) => world.inspect<InspectedAudience>(`/audiences/${id}`),
    requestsSince: (count: number) => world.running.emulator.requests.slice(count),
    /** A raw Graph POST as another tool of the same person would make it (Bearer token and proof). */
    graphPost: async (path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const proof = createHmac('sha256', APP.secret).update(world.accessToken).digest('hex');
      const response = await fetch(`${world.running.graphUrl}/${path}?appsecret_proof=${proof}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${world.accessToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as Record<string, unknown>;
    },
  };
}
