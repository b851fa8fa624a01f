import { COLLABORATION_NAME_MAX_LENGTH, CollaborationRole, type Collaboration } from '@conduit/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const COMPANY_ID_PATTERN = /^cmp_[0-9A-HJKMNP-TV-Z]{26}$/;
const COMPANY_ID_MESSAGE = 'must be a company id such as cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z';

export class CollaborationMemberDto {
  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  companyId!: string;

  @ApiProperty({ example: 'Acme Media' })
  companyName!: string;

  @ApiProperty({ enum: CollaborationRole, enumName: 'CollaborationRole' })
  role!: CollaborationRole;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  addedAt!: string;
}

export class CollaborationDto {
  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'Acme x Globex retail' })
  name!: string;

  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  ownerCompanyId!: string;

  @ApiProperty({ type: [CollaborationMemberDto], description: 'Every member, the owner included.' })
  members!: CollaborationMemberDto[];

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;
}

export class CreateCollaborationDto {
  @ApiProperty({ example: 'Acme x Globex retail', maxLength: COLLABORATION_NAME_MAX_LENGTH })
  @IsString()
  @IsNotEmpty()
  @MaxLength(COLLABORATION_NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z'],
    description: 'Partner companies to add as members now.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(COMPANY_ID_PATTERN, { each: true, message: COMPANY_ID_MESSAGE })
  memberCompanyIds?: string[];
}

export class AddCollaborationMemberDto {
  @ApiProperty({
    example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'The partner company (its id from GET /companies/me).',
  })
  @IsString()
  @Matches(COMPANY_ID_PATTERN, { message: COMPANY_ID_MESSAGE })
  companyId!: string;
}

export function toCollaborationDto(collaboration: Collaboration): CollaborationDto {
  return {
    id: collaboration.id,
    name: collaboration.name,
    ownerCompanyId: collaboration.owner.id,
    members: collaboration.members.getItems().map((member) => ({
      companyId: member.company.id,
      companyName: member.company.name,
      role: member.role,
      addedAt: member.addedAt.toISOString(),
    })),
    createdAt: collaboration.createdAt.toISOString(),
  };
}
