/**
 * Every failure the domain reports carries one of these stable, machine-readable codes. The API maps
 * each code to an HTTP status exhaustively, so adding a code here fails the build until it is mapped.
 */
export enum ErrorCode {
  // Generic request problems (raised at the edge, listed here so there is one catalogue of codes).
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_JSON = 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  INVALID_CURSOR = 'INVALID_CURSOR',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  ROUTE_NOT_FOUND = 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  // Companies and API keys.
  COMPANY_NOT_FOUND = 'COMPANY_NOT_FOUND',
  API_KEY_NOT_FOUND = 'API_KEY_NOT_FOUND',
  API_KEY_ALREADY_REVOKED = 'API_KEY_ALREADY_REVOKED',
  API_KEY_LAST_ACTIVE = 'API_KEY_LAST_ACTIVE',
  // Collaborations.
  COLLABORATION_NOT_FOUND = 'COLLABORATION_NOT_FOUND',
  COLLABORATION_OWNER_ONLY = 'COLLABORATION_OWNER_ONLY',
  COLLABORATION_MEMBER_EXISTS = 'COLLABORATION_MEMBER_EXISTS',
  COLLABORATION_MEMBER_NOT_FOUND = 'COLLABORATION_MEMBER_NOT_FOUND',
  COLLABORATION_OWNER_CANNOT_LEAVE = 'COLLABORATION_OWNER_CANNOT_LEAVE',
  // Providers and authorizations.
  PROVIDER_NOT_CONFIGURED = 'PROVIDER_NOT_CONFIGURED',
  AUTHORIZATION_NOT_FOUND = 'AUTHORIZATION_NOT_FOUND',
  AUTHORIZATION_NAME_TAKEN = 'AUTHORIZATION_NAME_TAKEN',
  AUTHORIZATION_NOT_AUTHENTICATED = 'AUTHORIZATION_NOT_AUTHENTICATED',
  AUTHORIZATION_IN_USE = 'AUTHORIZATION_IN_USE',
  PROVIDER_NOT_FOUND = 'PROVIDER_NOT_FOUND',
  // Destinations and shares.
  DESTINATION_NOT_FOUND = 'DESTINATION_NOT_FOUND',
  DESTINATION_OWNER_ONLY = 'DESTINATION_OWNER_ONLY',
  DESTINATION_WITHOUT_AUTHORIZATION = 'DESTINATION_WITHOUT_AUTHORIZATION',
  DESTINATION_SHARE_NOT_FOUND = 'DESTINATION_SHARE_NOT_FOUND',
  DESTINATION_SHARE_EXISTS = 'DESTINATION_SHARE_EXISTS',
  SHARE_GRANTEE_NOT_MEMBER = 'SHARE_GRANTEE_NOT_MEMBER',
}

/** One problem with one input field, e.g. `{ field: 'name', rule: 'maxLength', message: '…' }`. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** The one exception type the domain throws for expected failures. */
export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly FieldProblem[],
  ) {
    super(message);
    this.name = 'DomainException';
  }
}
