import {
  ExportEventType,
  ExportFailureCode,
  ExportRepeat,
  ExportStatus,
  MAX_MAPPED_COLUMNS,
  type Export,
  type ExportEvent,
  type ExportTally,
} from '@conduit/domain';
import type { ConfigValue } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsOptionalNotNull } from '../http/optional-not-null.decorator';
import { SegmentKeyColumnDto } from '../segments/segment.dto';

const CONFIG_SCHEMA = {
  type: 'object' as const,
  additionalProperties: { oneOf: [{ type: 'string' as const }, { type: 'integer' as const }] },
};

export class CreateExportDto {
  @ApiProperty({
    example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'A destination your company owns, or one shared with it in this collaboration.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  destinationId!: string;

  @ApiPropertyOptional({
    ...CONFIG_SCHEMA,
    example: { audienceName: 'Spring sale buyers', action: 'Create' },
    description:
      "Values for the destination's editable fields; a locked or unknown field is refused, naming it.",
  })
  @IsOptionalNotNull()
  @IsObject({ message: 'overrides must be an object of field values' })
  overrides?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [SegmentKeyColumnDto],
    maxItems: MAX_MAPPED_COLUMNS,
    description: "Segment column → key type and encoding. Defaults to the segment's key columns.",
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(MAX_MAPPED_COLUMNS)
  @ValidateNested({ each: true })
  @Type(() => SegmentKeyColumnDto)
  mapping?: SegmentKeyColumnDto[];

  @ApiPropertyOptional({
    enum: ExportRepeat,
    enumName: 'ExportRepeat',
    default: ExportRepeat.NONE,
    description:
      'ON_REFRESH: export again after each refresh of the segment (same destination, overrides and mapping; a Create becomes a Replace of the audience it made), until stopped with POST /exports/{id}/stop-repeating.',
  })
  @IsOptionalNotNull()
  @IsIn(Object.values(ExportRepeat), {
    message: `repeat must be one of ${Object.values(ExportRepeat).join(', ')}`,
  })
  repeat?: ExportRepeat;

  @ApiPropertyOptional({
    default: false,
    description:
      'Run the whole pipeline without sending: nothing is uploaded, no audience touched, the provider is not called. The export COMPLETES with the counts of what would be sent.',
  })
  @IsOptionalNotNull()
  @IsBoolean()
  dryRun?: boolean;
}

export class ExportProgressDto {
  @ApiProperty({ example: 250_000 })
  rowsRead!: number;

  @ApiProperty({ example: 1_000_000, description: 'Rows of the segment when the export was asked for.' })
  totalRows!: number;

  @ApiProperty({ example: 25, description: 'Rows read of the total, 0–100.' })
  percent!: number;

  @ApiProperty({ type: Number, nullable: true, example: 120_000, description: 'While RUNNING.' })
  rowsPerSecond!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 6,
    description: 'Seconds left at this pace, while RUNNING.',
  })
  etaSeconds!: number | null;
}

export class ExportCountsDto {
  @ApiProperty({ example: 1_000_000, description: 'Segment rows read.' })
  read!: number;

  @ApiProperty({ example: 1_450_000, description: 'Key values that normalized and validated.' })
  valid!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { MALFORMED: 120, EMPTY: 3_400 },
    description: 'Rejected key values by reason.',
  })
  invalid!: Record<string, number>;

  @ApiProperty({ example: 2_100, description: 'Valid values dropped as already sent in this export.' })
  duplicates!: number;

  @ApiProperty({
    example: 1_447_900,
    description: 'Distinct identifiers the provider accepted (a dry run: would send).',
  })
  uploaded!: number;

  @ApiPropertyOptional({ example: 1, description: 'Files (or batches) sent, or that a dry run would send.' })
  files?: number;

  @ApiPropertyOptional({ example: 94_113_500, description: 'Bytes sent, or that a dry run would send.' })
  bytes?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: {
        valid: { type: 'integer' },
        invalid: { type: 'object', additionalProperties: { type: 'integer' } },
        duplicates: { type: 'integer' },
        invalidExamples: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: 'string' }, maxItems: 3 },
        },
      },
    },
    example: {
      EMAIL: {
        valid: 1_000_000,
        invalid: { MALFORMED: 120 },
        duplicates: 2_000,
        invalidExamples: { MALFORMED: ['j•••@-e••••••.c••', 'm••••@g••••'] },
      },
    },
    description:
      "The counts per key type, with the first few rejected values of each reason masked (the first character of each run of letters and digits kept, separators kept): enough to see why, never the value. Left out of the owner's audit.",
  })
  byKeyType?: ExportTally['byKeyType'];
}

export class ProviderReferenceDto {
  @ApiProperty({ example: 'TIKTOK_AUDIENCE' })
  kind!: string;

  @ApiProperty({ example: '1790000000000001' })
  id!: string;

  @ApiPropertyOptional({ example: 'Spring sale buyers' })
  name?: string;
}

export class ExportProcessingDto {
  @ApiProperty({ type: String, nullable: true, enum: ['PROCESSING', 'READY', 'FAILED'], example: 'READY' })
  state!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 1_120_000,
    description: 'Matched users, when known.',
  })
  audienceSize!: number | null;
}

export class ExportErrorDto {
  @ApiProperty({ enum: ExportFailureCode, enumName: 'ExportFailureCode', example: 'CREDENTIALS_REFUSED' })
  code!: string;

  @ApiProperty({
    example:
      'TikTok Ads refused the credentials: reconnect authorization aut_01JD… (POST /authorizations/aut_01JD…/reauthorize), then retry it with POST /exports/exp_01JD…/retry.',
  })
  message!: string;
}

export class ExportDto {
  @ApiProperty({ example: 'exp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ enum: ExportStatus, enumName: 'ExportStatus', example: ExportStatus.RUNNING })
  status!: ExportStatus;

  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  collaborationId!: string;

  @ApiProperty({ example: 'seg_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  segmentId!: string;

  @ApiProperty({ example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  destinationId!: string;

  @ApiProperty({ example: 'tiktok' })
  provider!: string;

  @ApiProperty({ type: [SegmentKeyColumnDto] })
  mapping!: SegmentKeyColumnDto[];

  @ApiProperty({ description: 'A dry run: counted, nothing sent.', example: false })
  dryRun!: boolean;

  @ApiProperty({ enum: ExportRepeat, enumName: 'ExportRepeat', example: ExportRepeat.NONE })
  repeat!: ExportRepeat;

  @ApiProperty({ type: String, nullable: true, description: 'When its repeats were stopped.' })
  repeatStoppedAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'The export this one repeats, after a refresh of the segment.',
  })
  repeatOf!: string | null;

  @ApiProperty({
    ...CONFIG_SCHEMA,
    example: { audienceName: 'Spring sale buyers', action: 'Create', phoneHashFormat: 'E164_WITH_PLUS' },
    description:
      "The config the export runs with; locked values the destination's owner keeps hidden are left out.",
  })
  config!: Record<string, ConfigValue>;

  @ApiProperty({
    type: [String],
    example: ['advertiserId'],
    description: 'Fields whose values are hidden from you.',
  })
  hiddenFields!: string[];

  @ApiProperty({
    type: [String],
    example: ['advertiserId', 'retentionInDays'],
    description: 'Fields the destination locks.',
  })
  lockedFields!: string[];

  @ApiProperty({
    ...CONFIG_SCHEMA,
    example: { audienceName: 'Spring sale buyers' },
    description: 'The values you set.',
  })
  overrides!: Record<string, ConfigValue>;

  @ApiProperty({ type: ExportProgressDto })
  progress!: ExportProgressDto;

  @ApiProperty({ type: ExportCountsDto })
  counts!: ExportCountsDto;

  @ApiProperty({ type: [ProviderReferenceDto], description: 'What the export made or used at the provider.' })
  references!: ProviderReferenceDto[];

  @ApiProperty({ type: ExportProcessingDto })
  processing!: ExportProcessingDto;

  @ApiProperty({ type: ExportErrorDto, nullable: true })
  error!: ExportErrorDto | null;

  @ApiProperty({ example: 1, description: 'Runs started (a resume or a retry adds one).' })
  attempts!: number;

  @ApiProperty({ example: '2026-11-29T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-29T10:00:01.000Z' })
  startedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'When everything was sent (PROCESSING began).' })
  sentAt!: string | null;

  @ApiProperty({ type: String, nullable: true })
  finishedAt!: string | null;
}

/** The destination owner's view of an export through it: never the exporting company's segment. */
export class ExportAuditDto {
  @ApiProperty({ example: 'exp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z', description: 'The company that exported.' })
  companyId!: string;

  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  collaborationId!: string;

  @ApiProperty({ enum: ExportStatus, enumName: 'ExportStatus' })
  status!: ExportStatus;

  @ApiProperty({
    ...CONFIG_SCHEMA,
    example: { audienceName: 'Globex spring buyers' },
    description: 'The editable values it set.',
  })
  overrides!: Record<string, ConfigValue>;

  @ApiProperty({ type: ExportCountsDto })
  counts!: ExportCountsDto;

  @ApiProperty({ type: [ProviderReferenceDto] })
  references!: ProviderReferenceDto[];

  @ApiProperty({ type: ExportErrorDto, nullable: true })
  error!: ExportErrorDto | null;

  @ApiProperty({ example: '2026-11-29T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true })
  finishedAt!: string | null;
}

export class ExportEventDto {
  @ApiProperty({ example: 'xev_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ enum: ExportEventType, enumName: 'ExportEventType', example: ExportEventType.FILE_UPLOADED })
  type!: ExportEventType;

  @ApiProperty({ example: 'Uploaded file 3 (10000 identifiers, 650000 bytes).' })
  message!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { file: 3, values: 10000 } })
  data!: Record<string, unknown>;

  @ApiProperty({ example: '2026-11-29T10:00:02.000Z' })
  at!: string;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function errorOf(exported: Export): ExportErrorDto | null {
  return exported.errorCode ? { code: exported.errorCode, message: exported.errorMessage ?? '' } : null;
}

function progressOf(exported: Export, now: Date): ExportProgressDto {
  const read = exported.counts.read;
  const total = exported.totalRows;
  const percent = total > 0 ? Math.min(100, Math.round((1000 * read) / total) / 10) : 100;
  const elapsed = exported.startedAt ? (now.getTime() - exported.startedAt.getTime()) / 1000 : 0;
  const running = exported.status === ExportStatus.RUNNING && elapsed > 0 && read > 0;
  const rate = running ? Math.round(read / elapsed) : null;
  return {
    rowsRead: read,
    totalRows: total,
    percent: exported.status === ExportStatus.QUEUED ? 0 : percent,
    rowsPerSecond: rate,
    etaSeconds: rate ? Math.max(0, Math.round((total - read) / rate)) : null,
  };
}

/** The exporting company's view: hidden locked values (a grantee's) left out. */
export function toExportDto(exported: Export, now: Date): ExportDto {
  const destination = exported.destination;
  const owner = destination.owner.id === exported.company.id;
  const locked = Object.keys(exported.config).filter((key) => !destination.editableFields.includes(key));
  const hidden = owner ? [] : locked.filter((key) => !destination.visibleFields.includes(key));
  return {
    id: exported.id,
    status: exported.status,
    collaborationId: exported.collaboration.id,
    segmentId: exported.segment.id,
    destinationId: destination.id,
    provider: exported.provider,
    mapping: exported.mapping,
    dryRun: exported.dryRun,
    repeat: exported.repeat,
    repeatStoppedAt: iso(exported.repeatStoppedAt),
    repeatOf: exported.repeatOf,
    config: Object.fromEntries(Object.entries(exported.config).filter(([key]) => !hidden.includes(key))),
    hiddenFields: hidden,
    lockedFields: locked,
    overrides: exported.overrides,
    progress: progressOf(exported, now),
    counts: exported.counts,
    references: exported.references,
    processing: {
      state: exported.processingState,
      audienceSize: exported.audienceSize === null ? null : Number(exported.audienceSize),
    },
    error: errorOf(exported),
    attempts: exported.attempts,
    createdAt: exported.createdAt.toISOString(),
    startedAt: iso(exported.startedAt),
    sentAt: iso(exported.sentAt),
    finishedAt: iso(exported.finishedAt),
  };
}

/** The counts without the masked examples of rejected values: the grantee's segment data, even masked. */
function withoutExamples(counts: ExportTally): ExportTally {
  if (!counts.byKeyType) return counts;
  const byKeyType = Object.fromEntries(
    Object.entries(counts.byKeyType).map(([type, { invalidExamples: _examples, ...rest }]) => [type, rest]),
  );
  return { ...counts, byKeyType };
}

export function toExportAuditDto(exported: Export): ExportAuditDto {
  return {
    id: exported.id,
    companyId: exported.company.id,
    collaborationId: exported.collaboration.id,
    status: exported.status,
    overrides: exported.overrides,
    counts: withoutExamples(exported.counts),
    references: exported.references,
    error: errorOf(exported),
    createdAt: exported.createdAt.toISOString(),
    finishedAt: iso(exported.finishedAt),
  };
}

export function toExportEventDto(event: ExportEvent): ExportEventDto {
  return {
    id: event.id,
    type: event.type,
    message: event.message,
    data: event.data,
    at: event.at.toISOString(),
  };
}
