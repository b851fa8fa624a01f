import { COMPANY_NAME_MAX_LENGTH, type Company } from '@conduit/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CompanyDto {
  @ApiProperty({
    example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'Share this id with partners so they can add you to a collaboration.',
  })
  id!: string;

  @ApiProperty({ example: 'Acme Media' })
  name!: string;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;
}

export class UpdateCompanyDto {
  @ApiProperty({ example: 'Acme Media', maxLength: COMPANY_NAME_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(COMPANY_NAME_MAX_LENGTH)
  name!: string;
}

export function toCompanyDto(company: Company): CompanyDto {
  return { id: company.id, name: company.name, createdAt: company.createdAt.toISOString() };
}
