import { Clock, ErrorCode, ExportService, type Principal } from '@conduit/domain';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { Idempotent } from '../http/idempotency.interceptor';
import { ListQueryDto, mapPage, PageResponse } from '../http/pagination.dto';
import {
  CreateExportDto,
  ExportAuditDto,
  ExportDto,
  ExportEventDto,
  toExportAuditDto,
  toExportDto,
  toExportEventDto,
} from './export.dto';

const ExportPageDto = PageResponse(ExportDto);
const ExportAuditPageDto = PageResponse(ExportAuditDto);
const ExportEventPageDto = PageResponse(ExportEventDto);

@ApiTags('Exports')
@ApiBearerAuth('api-key')
@Controller()
export class ExportsController {
  constructor(
    private readonly exports: ExportService,
    private readonly clock: Clock,
  ) {}

  @Post('collaborations/:collaborationId/segments/:segmentId/exports')
  @HttpCode(HttpStatus.ACCEPTED)
  @Idempotent()
  @ApiOperation({
    summary: 'Export a segment to a destination',
    description:
      'Checks everything first (segment READY, destination usable in this collaboration, overrides of editable ' +
      'fields only and valid, the column mapping, the authorization connected), then queues the export and ' +
      'answers 202 with it. Follow it with GET /exports/{id} and its log with GET /exports/{id}/events.',
  })
  @ApiAcceptedResponse({ type: ExportDto, description: 'The export, QUEUED.' })
  @ApiErrors(
    ErrorCode.SEGMENT_NOT_FOUND,
    ErrorCode.SEGMENT_EXPIRED,
    ErrorCode.SEGMENT_NOT_READY,
    ErrorCode.DESTINATION_NOT_FOUND,
    ErrorCode.DESTINATION_WITHOUT_AUTHORIZATION,
    ErrorCode.AUTHORIZATION_NOT_AUTHENTICATED,
    ErrorCode.PROVIDER_NOT_CONFIGURED,
    ErrorCode.EXPORT_PROVIDER_LIMIT,
    ErrorCode.IDEMPOTENCY_KEY_IN_USE,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
  )
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
    @Body() body: CreateExportDto,
  ): Promise<ExportDto> {
    const exported = await this.exports.create(principal, collaborationId, segmentId, body);
    return toExportDto(exported, this.clock.now());
  }

  @Get('collaborations/:collaborationId/segments/:segmentId/exports')
  @ApiOperation({
    summary: "List a segment's exports",
    description: 'Every export of the segment, oldest first.',
  })
  @ApiOkResponse({ type: ExportPageDto, description: 'A page of exports.' })
  @ApiErrors(ErrorCode.SEGMENT_NOT_FOUND)
  async listForSegment(
    @CurrentPrincipal() principal: Principal,
    @Param('collaborationId') collaborationId: string,
    @Param('segmentId') segmentId: string,
    @Query() query: ListQueryDto,
  ) {
    const page = await this.exports.listForSegment(principal.companyId, collaborationId, segmentId, query);
    const now = this.clock.now();
    return mapPage(page, (exported) => toExportDto(exported, now));
  }

  @Get('exports/:exportId')
  @ApiOperation({
    summary: 'Get an export',
    description:
      'Status, progress, counts, the config it runs with, what it made at the provider, and on failure what to do.',
  })
  @ApiOkResponse({ type: ExportDto, description: 'The export.' })
  @ApiErrors(ErrorCode.EXPORT_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('exportId') exportId: string,
  ): Promise<ExportDto> {
    return toExportDto(await this.exports.get(principal.companyId, exportId), this.clock.now());
  }

  @Get('exports/:exportId/events')
  @ApiOperation({
    summary: "An export's log",
    description:
      'Append-only: queued, started, files uploaded, audience created, waits and retries, completed or failed.',
  })
  @ApiOkResponse({ type: ExportEventPageDto, description: 'A page of events, oldest first.' })
  @ApiErrors(ErrorCode.EXPORT_NOT_FOUND)
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param('exportId') exportId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(await this.exports.events(principal.companyId, exportId, query), toExportEventDto);
  }

  @Post('exports/:exportId/cancel')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Cancel an export',
    description:
      'A QUEUED export is CANCELLED at once; a RUNNING one stops at its next safe point, and its log says what was already sent.',
  })
  @ApiAcceptedResponse({
    type: ExportDto,
    description: 'The export, CANCELLED or still RUNNING until it stops.',
  })
  @ApiErrors(ErrorCode.EXPORT_NOT_FOUND, ErrorCode.EXPORT_NOT_CANCELLABLE)
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('exportId') exportId: string,
  ): Promise<ExportDto> {
    return toExportDto(await this.exports.cancel(principal, exportId), this.clock.now());
  }

  @Post('exports/:exportId/retry')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Retry a failed export',
    description:
      'Queues a FAILED export again; it resumes from its checkpoint, so nothing already sent is sent twice.',
  })
  @ApiAcceptedResponse({ type: ExportDto, description: 'The export, QUEUED.' })
  @ApiErrors(ErrorCode.EXPORT_NOT_FOUND, ErrorCode.EXPORT_NOT_RETRYABLE)
  async retry(
    @CurrentPrincipal() principal: Principal,
    @Param('exportId') exportId: string,
  ): Promise<ExportDto> {
    return toExportDto(await this.exports.retry(principal, exportId), this.clock.now());
  }

  @Post('exports/:exportId/stop-repeating')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Stop repeating an export',
    description:
      'Refreshes of the segment no longer export it (an export asked with repeat ON_REFRESH, or any of its repeats).',
  })
  @ApiOkResponse({ type: ExportDto, description: 'The export.' })
  @ApiErrors(ErrorCode.EXPORT_NOT_FOUND, ErrorCode.EXPORT_NOT_REPEATING)
  async stopRepeating(
    @CurrentPrincipal() principal: Principal,
    @Param('exportId') exportId: string,
  ): Promise<ExportDto> {
    return toExportDto(await this.exports.stopRepeating(principal, exportId), this.clock.now());
  }

  @Get('destinations/:destinationId/exports')
  @ApiOperation({
    summary: "Audit a destination's exports (owner only)",
    description:
      'Every export through the destination, by any company: who, when, the editable values they set, counts and status; never their segment.',
  })
  @ApiOkResponse({ type: ExportAuditPageDto, description: 'A page of exports, oldest first.' })
  @ApiErrors(ErrorCode.DESTINATION_NOT_FOUND, ErrorCode.DESTINATION_OWNER_ONLY)
  async listForDestination(
    @CurrentPrincipal() principal: Principal,
    @Param('destinationId') destinationId: string,
    @Query() query: ListQueryDto,
  ) {
    return mapPage(
      await this.exports.listForDestination(principal.companyId, destinationId, query),
      toExportAuditDto,
    );
  }
}
