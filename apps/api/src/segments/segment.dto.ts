import {
  boundedErrorMessage,
  DataSourceKind,
  SEGMENT_NAME_MAX_LENGTH,
  SegmentStatus,
  type DataSource,
  type Segment,
} from '@conduit/domain';
import { KEY_ENCODINGS, KEY_TYPES, type KeyEncoding, type KeyType } from '@conduit/destinations-core';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { SegmentKeyQualityDto, SegmentRefreshDto, toKeyQualityDto, toRefreshDto } from './segment-state.dto';

const trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));
const upper = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value));

export class CreateDataSourceDto {
  @ApiProperty({ example: 'Warehouse (read replica)', maxLength: 100 })
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name!: string;

  @ApiProperty({ enum: DataSourceKind, enumName: 'DataSourceKind', example: DataSourceKind.POSTGRESQL })
  @IsIn(Object.values(DataSourceKind), {
    message: `kind must be one of ${Object.values(DataSourceKind).join(', ')}`,
  })
  kind!: DataSourceKind;

  @ApiPropertyOptional({
    example: 'postgres://reader:secret@warehouse.internal:5432/crm',
    description:
      'POSTGRESQL: the connection URL (stored encrypted, never returned). Conduit connects once to check it: the host must be public or allowed by the operator, the role neither a superuser nor allowed to read server files; only the `sslmode` and `application_name` parameters are accepted.',
  })
  @ValidateIf((body: CreateDataSourceDto) => body.kind === DataSourceKind.POSTGRESQL)
  @IsString({ message: 'url is required for a POSTGRESQL data source' })
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({
    example: 'crm.sqlite',
    description:
      "SQLITE: a database file in your company's data-source folder (`data-sources/<company id>/` under the data directory, placed there by the operator), relative to it. Opened read-only.",
  })
  @ValidateIf((body: CreateDataSourceDto) => body.kind === DataSourceKind.SQLITE)
  @IsString({ message: 'path is required for a SQLITE data source' })
  @MaxLength(500)
  path?: string;
}

export class DataSourceDto {
  @ApiProperty({ example: 'dsr_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'Warehouse (read replica)' })
  name!: string;

  @ApiProperty({ enum: DataSourceKind, enumName: 'DataSourceKind' })
  kind!: DataSourceKind;

  @ApiProperty({
    example: 'warehouse.internal:5432/crm',
    description: 'Host and database, or the file: never a password.',
  })
  location!: string;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;
}

export class SegmentKeyColumnDto {
  @ApiProperty({ example: 'email' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  column!: string;

  @ApiProperty({ enum: KEY_TYPES, example: 'EMAIL' })
  @upper()
  @IsIn(KEY_TYPES, { message: `keyType must be one of ${KEY_TYPES.join(', ')}` })
  keyType!: KeyType;

  @ApiProperty({
    enum: KEY_ENCODINGS,
    example: 'RAW',
    description: 'RAW values are normalized and hashed at export; SHA256 are sent as they are.',
  })
  @upper()
  @IsIn(KEY_ENCODINGS, { message: `encoding must be one of ${KEY_ENCODINGS.join(', ')}` })
  encoding!: KeyEncoding;
}

export class SegmentSourceDto {
  @ApiProperty({ enum: ['sql', 'upload'], example: 'sql' })
  @IsIn(['sql', 'upload'], { message: 'type must be sql or upload' })
  type!: 'sql' | 'upload';

  @ApiPropertyOptional({ example: 'dsr_01JD4Q0X8R4Y3N2V6M5K7T9W1Z', description: 'sql: the data source.' })
  @ValidateIf((source: SegmentSourceDto) => source.type === 'sql')
  @IsString({ message: 'dataSourceId is required for a sql source' })
  @MaxLength(64)
  dataSourceId?: string;

  @ApiPropertyOptional({
    example: 'SELECT email, phone, country FROM customers WHERE opted_in',
    description: 'sql: one read-only SELECT; run with a statement timeout and a row limit.',
  })
  @ValidateIf((source: SegmentSourceDto) => source.type === 'sql')
  @IsString({ message: 'query is required for a sql source' })
  @IsNotEmpty()
  @MaxLength(100_000)
  query?: string;
}

export class CreateSegmentDto {
  @ApiProperty({ example: 'Spring buyers', maxLength: SEGMENT_NAME_MAX_LENGTH })
  @trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(SEGMENT_NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({
    type: SegmentSourceDto,
    description: 'sql: runs now and on refresh. upload: PUT …/upload a CSV next.',
  })
  @ValidateNested()
  @Type(() => SegmentSourceDto)
  source!: SegmentSourceDto;

  @ApiProperty({ type: [SegmentKeyColumnDto], description: 'Columns that carry activation keys.' })
  @IsArray()
  @ArrayMinSize(1, { message: 'keyColumns must name at least one key column' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => SegmentKeyColumnDto)
  keyColumns!: SegmentKeyColumnDto[];

  @ApiPropertyOptional({
    type: [String],
    example: ['country'],
    description: 'Other columns to keep (default: all).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  otherColumns?: string[];

  @ApiPropertyOptional({
    example: true,
    default: false,
    description:
      'Multi-value key cells (SQL arrays, or CSV cells split by multiValueDelimiter) become one row per value. Off, such a cell fails the segment.',
  })
  @IsOptional()
  @IsBoolean()
  flatten?: boolean;

  @ApiPropertyOptional({ example: '|', description: 'upload: the separator inside a multi-value cell.' })
  @IsOptional()
  @IsString()
  @MaxLength(8)
  multiValueDelimiter?: string;

  @ApiPropertyOptional({ example: '0 6 * * *', description: 'sql: refresh on this cron schedule (UTC).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  refreshSchedule?: string;
}

export class SegmentRowsQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class SegmentDto {
  @ApiProperty({ example: 'seg_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  collaborationId!: string;

  @ApiProperty({ example: 'Spring buyers' })
  name!: string;

  @ApiProperty({ type: SegmentSourceDto })
  source!: SegmentSourceDto;

  @ApiProperty({ type: [SegmentKeyColumnDto] })
  keyColumns!: SegmentKeyColumnDto[];

  @ApiProperty({ type: [String], nullable: true, example: null })
  otherColumns!: string[] | null;

  @ApiProperty({ example: true })
  flatten!: boolean;

  @ApiProperty({ type: String, nullable: true, example: null })
  multiValueDelimiter!: string | null;

  @ApiProperty({
    enum: SegmentStatus,
    enumName: 'SegmentStatus',
    description:
      'READY segments are exportable until expiresAt; after that EXPIRED (refresh to export again). A ' +
      'refresh leaves a READY segment READY (its committed rows stay exportable until the new run ' +
      'commits; see refresh); PENDING and RUNNING mean no run has committed rows yet (or the last one ' +
      'did not: FAILED, EXPIRED).',
  })
  status!: SegmentStatus;

  @ApiProperty({
    type: SegmentRefreshDto,
    nullable: true,
    description:
      'The run queued or running (the first one, or a refresh), null when none is. Wait for it to be ' +
      'null: then readyAt/rowCount/keyQuality describe the new rows, or status is FAILED.',
  })
  refresh!: SegmentRefreshDto | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-25T09:30:00.000Z' })
  readyAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-26T21:30:00.000Z' })
  expiresAt!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 125000 })
  rowCount!: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    nullable: true,
    example: { email: 124800, phone: 80211 },
    description: 'Non-empty values per key column.',
  })
  keyCounts!: Record<string, number> | null;

  @ApiProperty({
    type: [SegmentKeyQualityDto],
    nullable: true,
    description:
      'Per key column of the committed rows: how many values an export would send and reject, by ' +
      'reason, judged as exports judge them (phones without a country code read as international). ' +
      'Counts and masked examples only. Null before the first run commits (and for rows committed ' +
      'before key quality was measured: refresh to measure it).',
  })
  keyQuality!: SegmentKeyQualityDto[] | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  errorMessage!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'When the rows of the expired segment were deleted (they are personal data).',
  })
  dataDeletedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0 6 * * *' })
  refreshSchedule!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '2026-11-26T06:00:00.000Z' })
  nextRefreshAt!: string | null;

  @ApiProperty({ example: '2026-11-25T09:29:00.000Z' })
  createdAt!: string;
}

export class SegmentRowsDto {
  @ApiProperty({ example: 'seg_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  segmentId!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: { type: 'string', nullable: true } },
    example: [{ email: '************.com', country: 'FR' }],
    description:
      'The first rows. Key values are masked but for their last 4 characters, and so is every value of ' +
      'another column that looks like an identifier: an email address, 7 digits or more (a phone, an ' +
      'account or card number, an IP address; dates excepted), a mobile ad id, a hash or token.',
  })
  rows!: Record<string, string | null>[];
}

export function toDataSourceDto(dataSource: DataSource): DataSourceDto {
  return {
    id: dataSource.id,
    name: dataSource.name,
    kind: dataSource.kind,
    location: dataSource.displayLocation,
    createdAt: dataSource.createdAt.toISOString(),
  };
}

export function toSegmentDto(
  segment: Segment,
  status: SegmentStatus,
  run: Parameters<typeof toRefreshDto>[0],
): SegmentDto {
  return {
    id: segment.id,
    collaborationId: segment.collaboration.id,
    name: segment.name,
    source:
      segment.sourceType === 'sql'
        ? { type: 'sql', dataSourceId: segment.dataSource?.id, query: segment.query ?? undefined }
        : { type: 'upload' },
    keyColumns: segment.keyColumns.map((key) => ({ ...key })),
    otherColumns: segment.otherColumns,
    flatten: segment.flatten,
    multiValueDelimiter: segment.multiValueDelimiter,
    status,
    refresh: toRefreshDto(run),
    readyAt: segment.readyAt?.toISOString() ?? null,
    expiresAt: segment.expiresAt?.toISOString() ?? null,
    rowCount: segment.rowCount,
    keyCounts: segment.keyCounts,
    keyQuality: toKeyQualityDto(segment),
    // Capped here too: a message stored before the cap existed may be megabytes long.
    errorMessage: segment.errorMessage === null ? null : boundedErrorMessage(segment.errorMessage),
    dataDeletedAt: segment.dataDeletedAt?.toISOString() ?? null,
    refreshSchedule: segment.refreshSchedule,
    nextRefreshAt: segment.nextRefreshAt?.toISOString() ?? null,
    createdAt: segment.createdAt.toISOString(),
  };
}
