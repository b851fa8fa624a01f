import { SegmentStatus, type Segment, type SegmentService } from '@conduit/domain';
import {
  KEY_ENCODINGS,
  KEY_TYPES,
  REJECTION_REASONS,
  type KeyEncoding,
  type KeyType,
  type RejectionReason,
} from '@conduit/destinations-core';
import { ApiProperty } from '@nestjs/swagger';

type ReasonCounts = Partial<Record<RejectionReason, number>>;
type ReasonExamples = Partial<Record<RejectionReason, string[]>>;

/** One schema property per rejection reason: the docs list every reason a count may carry. */
const byReason = (schema: object) => Object.fromEntries(REJECTION_REASONS.map((reason) => [reason, schema]));

export class SegmentKeyQualityDto {
  @ApiProperty({ example: 'email', description: 'The key column.' })
  column!: string;

  @ApiProperty({
    enum: KEY_TYPES,
    example: 'EMAIL',
    description: 'The key type the column is declared with.',
  })
  keyType!: KeyType;

  @ApiProperty({
    enum: KEY_ENCODINGS,
    example: 'RAW',
    description: 'The encoding the column is declared with (what decides NOT_HASHED and LOOKS_HASHED).',
  })
  encoding!: KeyEncoding;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 124651,
    description: 'Values an export would send: normalized and hashed (RAW), or a valid SHA-256 (SHA256).',
  })
  valid!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 149,
    description: 'Values an export would reject, every reason together (empty cells included).',
  })
  invalid!: number;

  @ApiProperty({
    type: 'object',
    properties: byReason({ type: 'integer', minimum: 1 }),
    additionalProperties: false,
    example: { MALFORMED: 149 },
    description:
      'Rejected values by reason, the same reasons as an export counts: EMPTY (nothing after trimming), ' +
      'MALFORMED (not an email / phone number / mobile ad id), TOO_LONG, NOT_HASHED (declared SHA256, ' +
      'not 64 hex characters), LOOKS_HASHED (declared RAW, is a SHA-256), MULTI_VALUE. Reasons with no ' +
      'value are left out.',
  })
  invalidByReason!: ReasonCounts;

  @ApiProperty({
    type: 'object',
    properties: byReason({ type: 'array', items: { type: 'string' }, maxItems: 3 }),
    additionalProperties: false,
    example: { MALFORMED: ['j•••@e••••••', 'b••@-e••••••.c••'] },
    description:
      'The first few rejected values of each reason (EMPTY aside), masked: letters and digits hidden ' +
      'but the first of each run, separators kept. The pattern of a mistake, never the value.',
  })
  invalidExamples!: ReasonExamples;
}

export enum SegmentRefreshStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
}

export class SegmentRefreshDto {
  @ApiProperty({
    enum: SegmentRefreshStatus,
    enumName: 'SegmentRefreshStatus',
    example: SegmentRefreshStatus.RUNNING,
    description: 'PENDING: queued (behind the company’s other jobs); RUNNING: reading its source.',
  })
  status!: SegmentRefreshStatus;

  @ApiProperty({ example: '2026-11-26T06:00:00.000Z', description: 'When the run was asked for.' })
  requestedAt!: string;
}

/** The key quality of the committed run, as the API shows it. */
export function toKeyQualityDto(segment: Segment): SegmentKeyQualityDto[] | null {
  return (
    segment.keyQuality?.map((quality) => ({
      column: quality.column,
      keyType: quality.keyType,
      encoding: quality.encoding,
      valid: quality.valid,
      invalid: quality.invalid,
      invalidByReason: { ...quality.invalidByReason },
      invalidExamples: { ...quality.invalidExamples },
    })) ?? null
  );
}

/** The run in progress (the first one or a refresh), or null. */
export function toRefreshDto(run: ReturnType<SegmentService['runOf']>): SegmentRefreshDto | null {
  if (!run) return null;
  return {
    status:
      run.status === SegmentStatus.RUNNING ? SegmentRefreshStatus.RUNNING : SegmentRefreshStatus.PENDING,
    requestedAt: run.requestedAt.toISOString(),
  };
}
