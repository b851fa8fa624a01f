import {
  InvalidCredentialsError,
  RateLimitedError,
  withRetries,
  type ExternalAccount,
  type OAuthAuthorization,
  type ProviderCredentials,
  type RetryPolicy,
} from '@conduit/destinations-core';
import type { MetaCall } from './meta-audiences';
import type { MetaClient } from './meta.client';
import { accessTokenOf } from './meta.config';

export interface MetaAuthorizationOptions {
  client: MetaClient;
  call: MetaCall;
  retryPolicy: RetryPolicy;
  appId: string;
  /** Facebook Login's dialog for the Graph version called. */
  dialogUrl: string;
  redirectUri?: string;
}

/**
 * Facebook Login (reference §1): the dialog asks for `ads_management`; the code becomes a short-lived
 * token, swapped at once for a long-lived one (about 60 days; Meta has no refresh token, so the
 * person reconnects when it ends); the accounts are the ad accounts the person can use.
 */
export function metaAuthorization(options: MetaAuthorizationOptions): OAuthAuthorization {
  const { client, call } = options;
  const accountsOf = async (credentials: ProviderCredentials): Promise<ExternalAccount[]> =>
    call(() => client.listAdAccounts(accessTokenOf(credentials)));
  return {
    callbackCodeParameter: 'code',
    redirectUri: options.redirectUri,
    buildAuthorizeUrl: ({ state, redirectUri }) => {
      const url = new URL(options.dialogUrl);
      url.searchParams.set('client_id', options.appId);
      url.searchParams.set('redirect_uri', redirectUri);
      url.searchParams.set('state', state);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('scope', 'ads_management');
      return url.toString();
    },
    exchangeCode: async ({ code, redirectUri }) => {
      // A code is single use: only a throttled call (refused before Meta looked at the code) is
      // retried; after a timeout or a 5xx the code may be spent.
      const shortToken = await withRetries(
        () => client.exchangeCode(code, redirectUri),
        options.retryPolicy,
        {
          shouldRetry: (error) => error instanceof RateLimitedError,
        },
      );
      // Web-login tokens last an hour or two; the long-lived one about 60 days.
      const long = await call(() => client.exchangeForLongLived(shortToken));
      const credentials: Record<string, string> = { accessToken: long.accessToken };
      if (long.expiresInS !== undefined)
        credentials['expiresAt'] = new Date(Date.now() + long.expiresInS * 1000).toISOString();
      return { credentials, accounts: await accountsOf(credentials) };
    },
    listAccounts: accountsOf,
    revoke: async (credentials) => {
      try {
        await call(() => client.removeApp(accessTokenOf(credentials)));
      } catch (error) {
        // A token Meta no longer accepts grants nothing: there is nothing left to revoke.
        if (!(error instanceof InvalidCredentialsError)) throw error;
      }
    },
    // A dead token answers 190 on any call: listing the ad accounts checks it and refreshes them.
    checkHealth: async (credentials) => ({ accounts: await accountsOf(credentials) }),
  };
}
