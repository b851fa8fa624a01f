import type { DestinationShare } from '@conduit/domain';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class CreateShareDto {
  @ApiProperty({
    example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'A collaboration both companies belong to.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  collaborationId!: string;

  @ApiProperty({
    example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'The member company to share with.',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  companyId!: string;
}

export class ShareDto {
  @ApiProperty({ example: 'shr_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ example: 'dst_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  destinationId!: string;

  @ApiProperty({ example: 'clb_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  collaborationId!: string;

  @ApiProperty({ example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  companyId!: string;

  @ApiProperty({ enum: ['ACTIVE', 'REVOKED'] })
  status!: 'ACTIVE' | 'REVOKED';

  @ApiProperty({ type: String, nullable: true, example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  createdBy!: string | null;

  @ApiProperty({ example: '2026-11-25T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;
}

export function toShareDto(share: DestinationShare): ShareDto {
  return {
    id: share.id,
    destinationId: share.destination.id,
    collaborationId: share.collaboration.id,
    companyId: share.grantee.id,
    status: share.revokedAt ? 'REVOKED' : 'ACTIVE',
    createdBy: share.createdBy,
    createdAt: share.createdAt.toISOString(),
    revokedAt: share.revokedAt?.toISOString() ?? null,
  };
}
