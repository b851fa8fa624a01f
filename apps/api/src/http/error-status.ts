import { ErrorCode } from '@conduit/domain';
import { HttpStatus } from '@nestjs/common';

/**
 * Every domain error code and its HTTP status. `satisfies Record<ErrorCode, …>` makes this exhaustive:
 * a new code does not compile until it is mapped here.
 */
export const ERROR_STATUS = {
  [ErrorCode.VALIDATION_FAILED]: HttpStatus.BAD_REQUEST,
  [ErrorCode.MALFORMED_JSON]: HttpStatus.BAD_REQUEST,
  [ErrorCode.INVALID_CURSOR]: HttpStatus.BAD_REQUEST,
  [ErrorCode.PAYLOAD_TOO_LARGE]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [ErrorCode.IDEMPOTENCY_KEY_IN_USE]: HttpStatus.CONFLICT,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.UNAUTHENTICATED]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.ROUTE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.METHOD_NOT_ALLOWED]: HttpStatus.METHOD_NOT_ALLOWED,
  [ErrorCode.INTERNAL_ERROR]: HttpStatus.INTERNAL_SERVER_ERROR,
  [ErrorCode.SERVICE_UNAVAILABLE]: HttpStatus.SERVICE_UNAVAILABLE,
  [ErrorCode.RATE_LIMITED]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.COMPANY_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.API_KEY_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.API_KEY_ALREADY_REVOKED]: HttpStatus.CONFLICT,
  [ErrorCode.API_KEY_LAST_ACTIVE]: HttpStatus.CONFLICT,
  [ErrorCode.COLLABORATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.COLLABORATION_OWNER_ONLY]: HttpStatus.FORBIDDEN,
  [ErrorCode.COLLABORATION_MEMBER_EXISTS]: HttpStatus.CONFLICT,
  [ErrorCode.COLLABORATION_MEMBER_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.COLLABORATION_OWNER_CANNOT_LEAVE]: HttpStatus.CONFLICT,
  [ErrorCode.PROVIDER_NOT_CONFIGURED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.AUTHORIZATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.AUTHORIZATION_NAME_TAKEN]: HttpStatus.CONFLICT,
  [ErrorCode.AUTHORIZATION_NOT_AUTHENTICATED]: HttpStatus.CONFLICT,
  [ErrorCode.AUTHORIZATION_IN_USE]: HttpStatus.CONFLICT,
  [ErrorCode.PROVIDER_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.DESTINATION_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.DESTINATION_OWNER_ONLY]: HttpStatus.FORBIDDEN,
  [ErrorCode.DESTINATION_WITHOUT_AUTHORIZATION]: HttpStatus.CONFLICT,
  [ErrorCode.DESTINATION_SHARE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.DESTINATION_SHARE_EXISTS]: HttpStatus.CONFLICT,
  [ErrorCode.SHARE_GRANTEE_NOT_MEMBER]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.DATA_SOURCE_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.DATA_SOURCE_UNREACHABLE]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.DATA_SOURCE_HOST_NOT_ALLOWED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.DATA_SOURCE_ROLE_PRIVILEGED]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorCode.DATA_SOURCE_IN_USE]: HttpStatus.CONFLICT,
  [ErrorCode.SEGMENT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.SEGMENT_REFRESH_NEEDS_UPLOAD]: HttpStatus.CONFLICT,
  [ErrorCode.SEGMENT_NOT_UPLOAD]: HttpStatus.CONFLICT,
  [ErrorCode.SEGMENT_NO_DATA]: HttpStatus.CONFLICT,
  [ErrorCode.SEGMENT_EXPIRED]: HttpStatus.CONFLICT,
  [ErrorCode.SEGMENT_NOT_READY]: HttpStatus.CONFLICT,
  [ErrorCode.EXPORT_NOT_FOUND]: HttpStatus.NOT_FOUND,
  [ErrorCode.EXPORT_NOT_CANCELLABLE]: HttpStatus.CONFLICT,
  [ErrorCode.EXPORT_NOT_RETRYABLE]: HttpStatus.CONFLICT,
  [ErrorCode.EXPORT_NOT_REPEATING]: HttpStatus.CONFLICT,
  [ErrorCode.EXPORT_PROVIDER_LIMIT]: HttpStatus.UNPROCESSABLE_ENTITY,
} as const satisfies Record<ErrorCode, HttpStatus>;

/** The reason phrase for a status, e.g. 404 → "Not Found". */
export function reasonPhrase(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name
    ? name
        .split('_')
        .map((word) => word.charAt(0) + word.slice(1).toLowerCase())
        .join(' ')
    : 'Error';
}
