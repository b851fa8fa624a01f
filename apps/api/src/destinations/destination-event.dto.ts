import { DestinationEventType, type DestinationEvent } from '@conduit/domain';
import { ApiProperty } from '@nestjs/swagger';

export class DestinationEventDto {
  @ApiProperty({ example: 'dev_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  id!: string;

  @ApiProperty({ enum: DestinationEventType, enumName: 'DestinationEventType' })
  type!: DestinationEventType;

  @ApiProperty({ type: String, nullable: true, example: 'cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  actorCompanyId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'key_01JD4Q0X8R4Y3N2V6M5K7T9W1Z' })
  actorApiKeyId!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { 'config.audienceName': { from: 'Spring sale buyers', to: 'Summer sale buyers' } },
    description: 'What changed: `{ field: { from, to } }` for updates; the share for share events.',
  })
  changes!: Record<string, unknown>;

  @ApiProperty({ example: '2026-11-25T09:35:00.000Z' })
  at!: string;
}

export function toDestinationEventDto(event: DestinationEvent): DestinationEventDto {
  return {
    id: event.id,
    type: event.type,
    actorCompanyId: event.actorCompanyId,
    actorApiKeyId: event.actorApiKeyId,
    changes: event.changes,
    at: event.at.toISOString(),
  };
}
