import { ErrorCode } from '@conduit/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblemDto {
  @ApiProperty({
    example: 'name',
    description: 'Path of the offending field, dotted for nested fields (`config.audienceName`).',
  })
  field!: string;

  @ApiProperty({ example: 'maxLength', description: 'The rule that failed.' })
  rule!: string;

  @ApiProperty({ example: 'must be at most 100 characters' })
  message!: string;
}

/** The one error shape of the whole API. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    example: ErrorCode.VALIDATION_FAILED,
    description: 'Stable, machine-readable error code.',
  })
  code!: ErrorCode;

  @ApiProperty({
    example: 'The request is invalid: name must be at most 100 characters.',
    description: 'What is wrong and what to do about it.',
  })
  message!: string;

  @ApiPropertyOptional({ type: [FieldProblemDto] })
  details?: FieldProblemDto[];

  @ApiProperty({
    example: '01JD4Q0X8R4Y3N2V6M5K7T9W1Z',
    description: 'Also in the `X-Request-Id` header and our logs; quote it when asking for support.',
  })
  requestId!: string;
}
