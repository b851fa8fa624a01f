import { ErrorCode, DomainException } from '@conduit/domain';
import { DestinationRegistry } from '@conduit/destinations-core';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../http/api-errors.decorator';
import { ProviderDto, toProviderDto } from './provider.dto';

@ApiTags('Destinations')
@ApiBearerAuth('api-key')
@Controller('providers')
export class ProvidersController {
  constructor(private readonly registry: DestinationRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'List destination providers',
    description:
      'Every provider this Conduit knows, with its config field schema (what a destination of it needs). ' +
      'A provider the operator has not configured is listed with `available: false` and the reason.',
  })
  @ApiOkResponse({ type: [ProviderDto], description: 'The providers, by id.' })
  @ApiErrors()
  list(): ProviderDto[] {
    const available = this.registry.list().map(toProviderDto);
    return [...available, ...this.unavailable()].sort((a, b) => a.id.localeCompare(b.id));
  }

  @Get(':providerId')
  @ApiOperation({ summary: 'Get a provider and its field schema' })
  @ApiOkResponse({ type: ProviderDto, description: 'The provider.' })
  @ApiErrors(ErrorCode.PROVIDER_NOT_FOUND)
  get(@Param('providerId') providerId: string): ProviderDto {
    const provider = this.registry.find(providerId);
    if (provider) return toProviderDto(provider);
    const unavailable = this.unavailable().find((entry) => entry.id === providerId);
    if (unavailable) return unavailable;
    throw new DomainException(
      ErrorCode.PROVIDER_NOT_FOUND,
      `There is no destination provider "${providerId}"; GET /providers lists them.`,
    );
  }

  private unavailable(): ProviderDto[] {
    return this.registry.listUnavailable().map((entry) => ({
      id: entry.id,
      displayName: entry.displayName,
      available: false,
      unavailableReason: entry.reason,
      fields: [],
    }));
  }
}
