import { DataSourceService, ErrorCode, SegmentService, type Principal, type Segment } from '@conduit/domain';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { Idempotent } from '../http/idempotency.interceptor';
import { ListQueryDto, mapPage, PageResponse } from '../http/pagination.dto';
import { abortedOnDisconnect } from './aborted-on-disconnect';
import { receiveFile } from './receive-file';
import {
  CreateDataSourceDto,
  CreateSegmentDto,
  DataSourceDto,
  SegmentDto,
  SegmentRowsDto,
  SegmentRowsQueryDto,
  toDataSourceDto,
  toSegmentDto,
} from './segment.dto';

const SegmentPageDto = PageResponse(SegmentDto);
const DataSourcePageDto = PageResponse(DataSourceDto);

@ApiTags('Segments')
@ApiBearerAuth('api-key')
@Controller()
export class SegmentsController {
  constructor(
    private readonly segments: SegmentService,
    private readonly dataSources: DataSourceService,
  ) {}

  // -- data sources ------------------------------------------------------------------------------

  @Post('data-sources')
  @ApiOperation({
    summary: 'Register a data source',
    description:
      'A PostgreSQL database (URL stored encrypted; Conduit connects once to check it: public hosts or hosts the operator allows, no superuser role; every failed connection gets the same answer) or a SQLite file in your company’s data-source folder, opened read-only.',
  })
  @ApiCreatedResponse({ type: DataSourceDto, description: 'The data source (never its URL).' })
  @ApiErrors(
    ErrorCode.DATA_SOURCE_UNREACHABLE,
    ErrorCode.DATA_SOURCE_HOST_NOT_ALLOWED,
    ErrorCode.DATA_SOURCE_ROLE_PRIVILEGED,
  )
  async createDataSource(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateDataSourceDto,
  ): Promise<DataSourceDto> {
    return toDataSourceDto(await this.dataSources.create(principal, body));
  }

  @Get('data-sources')
  @ApiOperation({ summary: 'List data sources' })
  @ApiOkResponse({ type: DataSourcePageDto, description: 'A page of data sources.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR)
  async listDataSources(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto) {
    return mapPage(await this.dataSources.list(principal.companyId, query), toDataSourceDto);
  }

  @Delete('data-sources/:dataSourceId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a data source', description: 'Refused while segments use it.' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(ErrorCode.DATA_SOURCE_NOT_FOUND, ErrorCode.DATA_SOURCE_IN_USE)
  async deleteDataSource(
    @CurrentPrincipal() principal: Principal,
    @Param('dataSourceId') dataSourceId: string,
  ): Promise<void> {
    await this.dataSources.remove(principal.companyId, dataSourceId);
  }

  // -- segments ----------------------------------------------------------------------------------

  @Post('collaborations/:collaborationId/segments')
  @ApiOperation({
    summary: 'Create a segment',
    description:
      'A `sql` segment runs its query now (status PENDING → RUNNING → READY or FAILED). An `upload` segment waits ' +
      'for a CSV: PUT …/segments/{id}/upload. A READY segment is exportable for 36 hours (SEGMENT_READY_HOURS).',
  })
  @ApiCreatedResponse({ type: SegmentDto, description: 'The segment.' })
  @ApiErrors(ErrorCode.COLLABORATION_NOT_FOUND, ErrorCode.DATA_SOURCE_NOT_FOUND)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Body() body: CreateSegmentDto,
  ): Promise<SegmentDto> {
    const source =
      body.source.type === 'sql'
        ? {
            type: 'sql' as const,
            dataSourceId: body.source.dataSourceId as string,
            query: body.source.query as string,
          }
        : { type: 'upload' as const };
    const segment = await this.segments.create(principal, collaborationId, { ...body, source });
    return this.toDto(segment);
  }

  @Get('collaborations/:collaborationId/segments')
  @ApiOperation({
    summary: 'List my segments in a collaboration',
    description: 'Only segments my company created.',
  })
  @ApiOkResponse({ type: SegmentPageDto, description: 'A page of segments.' })
  @ApiErrors(ErrorCode.COLLABORATION_NOT_FOUND, ErrorCode.INVALID_CURSOR)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(await this.segments.list(principal.companyId, collaborationId, query), (segment) =>
      this.toDto(segment),
    );
  }

  @Get('collaborations/:collaborationId/segments/:segmentId')
  @ApiOperation({
    summary: 'Get a segment',
    description: 'Its status is computed from the clock: past expiresAt it reads EXPIRED.',
  })
  @ApiOkResponse({ type: SegmentDto, description: 'The segment.' })
  @ApiErrors(ErrorCode.SEGMENT_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<SegmentDto> {
    const segment = await this.segments.get(principal.companyId, collaborationId, segmentId);
    return this.toDto(segment);
  }

  @Post('collaborations/:collaborationId/segments/:segmentId/refresh')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary: 'Refresh a segment',
    description:
      'Re-runs the SQL source and starts a new READY window once its rows commit; meanwhile a READY segment stays ' +
      'READY on its current rows and `refresh` shows the run. A refresh while one is queued or running joins it. ' +
      'An upload segment is refreshed by uploading a new file.',
  })
  @ApiAcceptedResponse({
    type: SegmentDto,
    description:
      'The segment with its refresh PENDING or RUNNING; a READY segment stays READY (and exportable) until the new rows commit.',
  })
  @ApiErrors(
    ErrorCode.SEGMENT_NOT_FOUND,
    ErrorCode.SEGMENT_REFRESH_NEEDS_UPLOAD,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
  )
  async refresh(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<SegmentDto> {
    const segment = await this.segments.refresh(principal, collaborationId, segmentId);
    return this.toDto(segment);
  }

  @Put('collaborations/:collaborationId/segments/:segmentId/upload')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: {
        file: { type: 'string', format: 'binary', description: 'A CSV (or gzipped CSV) with a header row.' },
      },
    },
  })
  @ApiOperation({
    summary: 'Upload the CSV of an upload segment',
    description:
      'Streams the file (bounded by SEGMENT_UPLOAD_MAX_MB) and materializes it: the first load or a refresh. Parse ' +
      'errors make the segment FAILED with the line number in errorMessage.',
  })
  @ApiAcceptedResponse({
    type: SegmentDto,
    description:
      'The segment with its refresh PENDING; a READY segment stays READY until the new rows commit.',
  })
  @ApiErrors(
    ErrorCode.SEGMENT_NOT_FOUND,
    ErrorCode.SEGMENT_NOT_UPLOAD,
    ErrorCode.PAYLOAD_TOO_LARGE,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
  )
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
    @Req() request: Request,
  ): Promise<SegmentDto> {
    // A foreign or missing segment is a 404 before any of the body is parsed.
    await this.segments.get(principal.companyId, collaborationId, segmentId);
    const { file, finished } = await receiveFile(request);
    const segment = await this.segments.upload(principal, collaborationId, segmentId, file);
    await finished;
    return this.toDto(segment);
  }

  @Get('collaborations/:collaborationId/segments/:segmentId/rows')
  @ApiOperation({
    summary: 'Preview the first rows',
    description:
      'Key values are masked but for their last 4 characters; so are values of other columns that look like ' +
      'identifiers (emails, phone-like digit runs, ad ids, hashes). To keep a column out entirely, leave it out ' +
      'of otherColumns.',
  })
  @ApiOkResponse({ type: SegmentRowsDto, description: 'The first rows.' })
  @ApiErrors(ErrorCode.SEGMENT_NOT_FOUND, ErrorCode.SEGMENT_NO_DATA)
  async rows(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: SegmentRowsQueryDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SegmentRowsDto> {
    const { segment, rows } = await this.segments.preview(
      principal.companyId,
      collaborationId,
      segmentId,
      query.limit ?? 20,
      abortedOnDisconnect(response),
    );
    return { segmentId: segment.id, rows };
  }

  @Delete('collaborations/:collaborationId/segments/:segmentId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a segment and its rows' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors(ErrorCode.SEGMENT_NOT_FOUND)
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
  ): Promise<void> {
    await this.segments.remove(principal.companyId, collaborationId, segmentId);
  }

  /**
   * The segment as the API shows it: its status computed from the clock (past expiresAt: EXPIRED; READY
   * while a refresh runs), and the run in progress.
   */
  private toDto(segment: Segment): SegmentDto {
    return toSegmentDto(segment, this.segments.statusOf(segment), this.segments.runOf(segment));
  }
}
