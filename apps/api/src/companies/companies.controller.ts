import { CompanyService, type Principal } from '@conduit/domain';
import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/principal.decorator';
import { ApiErrors } from '../http/api-errors.decorator';
import { CompanyDto, toCompanyDto, UpdateCompanyDto } from './company.dto';

@ApiTags('Companies')
@ApiBearerAuth('api-key')
@Controller('companies')
export class CompaniesController {
  constructor(private readonly companies: CompanyService) {}

  @Get('me')
  @ApiOperation({ summary: 'Get my company', description: 'The company the API key belongs to.' })
  @ApiOkResponse({ type: CompanyDto, description: 'My company.' })
  @ApiErrors()
  async me(@CurrentPrincipal() principal: Principal): Promise<CompanyDto> {
    return toCompanyDto(await this.companies.get(principal.companyId));
  }

  @Patch('me')
  @ApiOperation({ summary: 'Rename my company' })
  @ApiOkResponse({ type: CompanyDto, description: 'The renamed company.' })
  @ApiErrors()
  async update(
    @CurrentPrincipal() principal: Principal,
    @Body() body: UpdateCompanyDto,
  ): Promise<CompanyDto> {
    return toCompanyDto(await this.companies.rename(principal.companyId, body.name));
  }
}
