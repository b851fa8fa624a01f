import { ApiKeyService, ErrorCode, type Principal } from '@conduit/domain';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { ListQueryDto, mapPage, PageResponse } from '../http/pagination.dto';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, toApiKeyDto } from './api-key.dto';

const ApiKeyPageDto = PageResponse(ApiKeyDto);

@ApiTags('API keys')
@ApiBearerAuth('api-key')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Get()
  @ApiOperation({
    summary: 'List API keys',
    description: "My company's keys, active and revoked, oldest first. Secrets are never listed.",
  })
  @ApiOkResponse({ type: ApiKeyPageDto, description: 'A page of API keys.' })
  @ApiErrors(ErrorCode.INVALID_CURSOR)
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto) {
    return mapPage(await this.apiKeys.list(principal.companyId, query), toApiKeyDto);
  }

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description: 'Returns the key once, in `secret`. Only a hash is stored.',
  })
  @ApiCreatedResponse({
    type: CreatedApiKeyDto,
    description: 'The new key, with its secret (shown this once).',
  })
  @ApiErrors()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const { apiKey, secret } = await this.apiKeys.create(principal.companyId, body.name);
    return { ...toApiKeyDto(apiKey), secret };
  }

  @Get(':apiKeyId')
  @ApiOperation({ summary: 'Get an API key' })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The API key (never its secret).' })
  @ApiErrors(ErrorCode.API_KEY_NOT_FOUND)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('apiKeyId') apiKeyId: string,
  ): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.get(principal.companyId, apiKeyId));
  }

  @Post(':apiKeyId/revoke')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'The key stops working at once. Your last active key cannot be revoked: create a replacement first.',
  })
  @ApiOkResponse({ type: ApiKeyDto, description: 'The revoked key.' })
  @ApiErrors(ErrorCode.API_KEY_NOT_FOUND, ErrorCode.API_KEY_ALREADY_REVOKED, ErrorCode.API_KEY_LAST_ACTIVE)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('apiKeyId') apiKeyId: string,
  ): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.revoke(principal.companyId, apiKeyId));
  }
}
