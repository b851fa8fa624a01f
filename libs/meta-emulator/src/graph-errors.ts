import { customAudienceTermsUrl, GraphCode, GraphSubcode } from '@conduit/destinations-meta-wire';

/** What the emulator answers a failed Graph call with: Graph's error envelope and an HTTP status. */
export class GraphApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: {
      subcode?: number;
      type?: 'OAuthException' | 'GraphMethodException';
      status?: number;
      userTitle?: string;
      userMessage?: string;
      transient?: boolean;
      /** Headers sent with the error (e.g. the usage header of a throttle). */
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'GraphApiError';
  }

  /** Meta's status per code (reference §2.2): 403 for 200, 500 for 1 and 2, 400 otherwise. */
  get status(): number {
    if (this.extra.status) return this.extra.status;
    if (this.code === GraphCode.PERMISSION) return 403;
    if (this.code === GraphCode.UNKNOWN || this.code === GraphCode.SERVICE_UNAVAILABLE) return 500;
    return 400;
  }

  envelope(fbtraceId: string): { error: Record<string, unknown> } {
    return {
      error: {
        message: this.message,
        type: this.extra.type ?? 'OAuthException',
        code: this.code,
        ...(this.extra.subcode !== undefined ? { error_subcode: this.extra.subcode } : {}),
        ...(this.extra.transient !== undefined ? { is_transient: this.extra.transient } : {}),
        ...(this.extra.userTitle ? { error_user_title: this.extra.userTitle } : {}),
        ...(this.extra.userMessage ? { error_user_msg: this.extra.userMessage } : {}),
        fbtrace_id: fbtraceId,
      },
    };
  }
}

export const fail = (code: number, message: string, extra?: GraphApiError['extra']): never => {
  throw new GraphApiError(code, message, extra);
};

/** `(#100) …`: how Graph words most errors of a numbered code. */
export const invalidParameter = (detail: string, subcode?: number): never =>
  fail(GraphCode.INVALID_PARAMETER, `(#100) ${detail}`, subcode === undefined ? {} : { subcode });

/** An id that does not exist or is not visible to the token (reference §4.5: 100/33). */
export const objectNotFound = (id: string, method: string): never =>
  fail(
    GraphCode.INVALID_PARAMETER,
    `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    { subcode: GraphSubcode.OBJECT_NOT_FOUND, type: 'GraphMethodException' },
  );

/** 200/1870090 (reference §8): the ad account's custom-audience terms are not accepted. */
export const termsNotAccepted = (adAccountId: string): never =>
  fail(GraphCode.PERMISSION, '(#200) Custom Audience Terms Not Accepted', {
    subcode: GraphSubcode.TERMS_NOT_ACCEPTED,
    userTitle: 'Custom Audience Terms Not Accepted',
    userMessage: `You need to accept the Custom Audience Terms before you can create or edit an audience. Accept them at ${customAudienceTermsUrl(adAccountId)}`,
  });

/** 294 (reference §1.5): the token lacks `ads_management`. */
export const missingAdsManagement = (): never =>
  fail(
    GraphCode.MISSING_ADS_MANAGEMENT,
    'Missing permission. Please make sure you have ads_management permission and the application is included in the allowlist',
    { type: 'GraphMethodException' },
  );

/** 2650 with a `/usersreplace` subcode (reference §4.6). */
export const audienceUpdateFailed = (subcode: number, title: string, detail: string): never =>
  fail(GraphCode.AUDIENCE_UPDATE_FAILED, `(#2650) Failed to update the custom audience: ${detail}`, {
    subcode,
    userTitle: title,
    userMessage: detail,
  });

/** Graph's wording per code, for injected faults that name only a code. */
export const GRAPH_MESSAGES: Readonly<Record<number, string>> = {
  [GraphCode.UNKNOWN]: 'An unknown error occurred',
  [GraphCode.SERVICE_UNAVAILABLE]: 'An unexpected error has occurred. Please retry your request later.',
  [GraphCode.APP_THROTTLED]: '(#4) Application request limit reached',
  [GraphCode.USER_THROTTLED]: '(#17) User request limit reached',
  [GraphCode.INVALID_PARAMETER]: '(#100) Invalid parameter',
  [GraphCode.TOKEN_INVALID]: 'Error validating access token: The session has been invalidated.',
  [GraphCode.PERMISSION]: '(#200) Permissions error',
  [GraphCode.MISSING_ADS_MANAGEMENT]:
    'Missing permission. Please make sure you have ads_management permission and the application is included in the allowlist',
  [GraphCode.POLICY_BLOCKED]:
    '(#368) The action attempted has been deemed abusive or is otherwise disallowed',
  [GraphCode.DEPRECATED_VERSION]:
    '(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version.',
  [GraphCode.AUDIENCE_UPDATE_FAILED]: '(#2650) Failed to update the custom audience',
  [GraphCode.AUDIENCE_CREATE_FAILED]: '(#2654) Failed to create custom audience',
  [GraphCode.CUSTOM_AUDIENCE_THROTTLED]:
    'There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#custom-audience.',
};

/** The wording of an injected fault that names only a code. */
export function messageFor(code: number): string {
  return GRAPH_MESSAGES[code] ?? `(#${code}) An error occurred`;
}
