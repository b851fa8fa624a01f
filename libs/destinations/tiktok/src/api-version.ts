// The TikTok Marketing API version the connector speaks, and where TikTok serves it.

export const TIKTOK_API_VERSION = 'v1.3';

/** Production API base (no trailing slash: the client appends `/<path>/`). */
export const TIKTOK_PRODUCTION_BASE_URL = 'https://business-api.tiktok.com/open_api/v1.3';

/** TikTok's sandbox (1 QPS), for developer apps in sandbox mode. */
export const TIKTOK_SANDBOX_BASE_URL = 'https://sandbox-ads.tiktok.com/open_api/v1.3';

/** The advertiser consent page (`?app_id&state&redirect_uri`); TikTok takes no scope parameter. */
export const TIKTOK_PORTAL_AUTH_URL = 'https://business-api.tiktok.com/portal/auth';
