import { isDestinationError } from '@conduit/destinations-core';
import { DomainException } from '../common/domain.exception';
import { boundedErrorMessage } from '../segments/segment.entity';

/** Why an export failed, as its `errorCode`: stable, for scripts to branch on. */
export enum ExportFailureCode {
  /** The provider refused the credentials: the authorization is now REVOKED. */
  CREDENTIALS_REFUSED = 'CREDENTIALS_REFUSED',
  /** The authorization was not usable when the export ran (revoked, deleted). */
  AUTHORIZATION_UNUSABLE = 'AUTHORIZATION_UNUSABLE',
  /** What the export would send is not acceptable (mapping, data, config). */
  INVALID_EXPORT = 'INVALID_EXPORT',
  /** A provider limit (e.g. TikTok's 400 audiences per advertiser). */
  PROVIDER_LIMIT = 'PROVIDER_LIMIT',
  /** The provider stayed unavailable or throttled through every retry: retrying later may work. */
  PROVIDER_UNAVAILABLE = 'PROVIDER_UNAVAILABLE',
  /** The provider refused the request for another reason. */
  PROVIDER_ERROR = 'PROVIDER_ERROR',
  /** The provider did not finish processing within the deadline, or reported a failure. */
  PROVIDER_PROCESSING_FAILED = 'PROVIDER_PROCESSING_FAILED',
  /** The segment rows the export was reading are gone (deleted after expiry). */
  SEGMENT_DATA_GONE = 'SEGMENT_DATA_GONE',
  /** A fault of Conduit's: the server log has the details. */
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

export interface ExportFailure {
  code: ExportFailureCode;
  message: string;
  /** A failure worth retrying as it is (the cause may pass); the others need a change first. */
  retryable: boolean;
}

/**
 * Turns what stopped an export into a code and a message that says what to do. `authorizationId`
 * names the authorization to reconnect when the provider refused its credentials.
 */
export function describeFailure(
  error: unknown,
  context: { exportId: string; providerName: string; authorizationId: string | null },
): ExportFailure {
  const retry = `retry it with POST /exports/${context.exportId}/retry`;
  if (error instanceof DomainException)
    return {
      code: ExportFailureCode.AUTHORIZATION_UNUSABLE,
      message: boundedErrorMessage(error.message),
      retryable: false,
    };
  if (!isDestinationError(error))
    return {
      code: ExportFailureCode.INTERNAL_ERROR,
      message: `The export stopped on an internal error (see the server log for export ${context.exportId}); ${retry}.`,
      retryable: true,
    };
  const said = boundedErrorMessage(error.message);
  switch (error.kind) {
    case 'INVALID_CREDENTIALS':
      return {
        code: ExportFailureCode.CREDENTIALS_REFUSED,
        message:
          `${context.providerName} refused the credentials: reconnect authorization ${context.authorizationId} ` +
          `(POST /authorizations/${context.authorizationId}/reauthorize), then ${retry}. ${context.providerName} said: ${said}`,
        retryable: false,
      };
    case 'PAYLOAD_VALIDATION':
      return { code: ExportFailureCode.INVALID_EXPORT, message: said, retryable: false };
    case 'PROVIDER_LIMIT':
      return { code: ExportFailureCode.PROVIDER_LIMIT, message: said, retryable: false };
    case 'RETRYABLE':
    case 'RATE_LIMITED':
      return {
        code: ExportFailureCode.PROVIDER_UNAVAILABLE,
        message: `${context.providerName} stayed unavailable through every retry (${said}); nothing sent is lost: ${retry} later and it resumes where it stopped.`,
        retryable: true,
      };
    default:
      return { code: ExportFailureCode.PROVIDER_ERROR, message: said, retryable: true };
  }
}
