import { ErrorCode } from '@conduit/domain';
import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { ERROR_STATUS, reasonPhrase } from './error-status';

/**
 * Documents the error codes an operation can answer with, grouped by HTTP status. Authentication and
 * validation failures are added for every authenticated operation.
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([ErrorCode.UNAUTHENTICATED, ErrorCode.VALIDATION_FAILED, ...codes])];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus.entries()].map(([status, statusCodes]) =>
      ApiResponse({
        status,
        type: ErrorResponseDto,
        description: `${reasonPhrase(status)}: ${statusCodes.map((code) => `\`${code}\``).join(', ')}`,
      }),
    ),
  );
}
