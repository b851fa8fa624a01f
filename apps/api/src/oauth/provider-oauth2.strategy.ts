import type { AcceptedCallback } from '@conduit/domain';
import type { DestinationProvider, ExternalAccount, ProviderCredentials } from '@conduit/destinations-core';
import type { Request } from 'express';
import type { OAuth2, oauth2tokenCallback } from 'oauth';
import { Strategy as OAuth2Strategy, type StateStore, type VerifyCallback } from 'passport-oauth2';

/** What a successful callback yields: the exchanged credentials and the accounts they grant. */
export interface ExchangedGrant {
  accepted: AcceptedCallback;
  credentials: ProviderCredentials;
  accounts: ExternalAccount[];
}

/** The request, once the state store has accepted its state. */
type CallbackRequest = Request & { acceptedCallback?: AcceptedCallback };

/** Checks and consumes a callback's state (our signed, single-use state; see AuthorizationService). */
export type AcceptState = (state: string | undefined) => Promise<AcceptedCallback>;

/**
 * passport-oauth2, adapted to any DestinationProvider. Passport runs the callback protocol (error
 * query, state verification through a store, code exchange, verify); the provider supplies what is
 * specific to it: the name of the code parameter (TikTok: `auth_code`) and the code exchange itself
 * (TikTok's is a JSON POST of app_id, secret and auth_code, not the standard form). Conduit builds
 * authorize URLs through the provider too, so this strategy only ever handles callbacks.
 */
export class ProviderOAuth2Strategy extends OAuth2Strategy {
  constructor(
    private readonly provider: DestinationProvider,
    callbackURL: string,
    acceptState: AcceptState,
  ) {
    super(
      {
        // Required by OAuth2Strategy; never used for navigation: authorize URLs come from the provider.
        authorizationURL: provider.authorization.buildAuthorizeUrl({ state: '', redirectUri: callbackURL }),
        tokenURL: callbackURL,
        clientID: provider.id,
        // The provider holds its own app secret; node-oauth's exchange (which would use this) is replaced.
        clientSecret: '',
        callbackURL,
        store: stateStore(acceptState),
        passReqToCallback: true,
        skipUserProfile: true,
      },
      (
        request: CallbackRequest,
        _accessToken: string,
        _refreshToken: string,
        params: { credentials: ProviderCredentials; accounts: ExternalAccount[] },
        _profile: unknown,
        done: VerifyCallback,
      ) => {
        const grant: ExchangedGrant = {
          accepted: request.acceptedCallback as AcceptedCallback,
          credentials: params.credentials,
          accounts: params.accounts,
        };
        done(null, grant as unknown as Express.User);
      },
    );
    this.name = provider.id;
    // The provider's own exchange replaces node-oauth's form POST; `params` carries its result.
    const exchange = (code: string, _params: unknown, callback: oauth2tokenCallback): void => {
      this.provider.authorization.exchangeCode({ code, redirectUri: callbackURL }).then(
        (result) => callback(null as never, 'exchanged', '', result),
        (error: unknown) => callback(error as never, '', '', {}),
      );
    };
    this._oauth2.getOAuthAccessToken = exchange as OAuth2['getOAuthAccessToken'];
  }

  override authenticate(request: CallbackRequest, options?: object): void {
    // Passport reads `code`; the provider may call it something else (TikTok: `auth_code`).
    const query = (request.query ?? {}) as Record<string, unknown>;
    const code = query[this.provider.authorization.callbackCodeParameter];
    if (!query['error'] && typeof code !== 'string') {
      // Without a code passport would start a new authorization; a callback without one is a failure.
      return this.fail({ message: 'CODE_MISSING' }, 400);
    }
    // Express 5's `req.query` is a getter: shadow it on this request.
    Object.defineProperty(request, 'query', { value: { ...query, code }, configurable: true });
    super.authenticate(request, options);
  }
}

/** passport-oauth2's state store protocol, over our signed single-use states. */
function stateStore(acceptState: AcceptState): StateStore {
  return {
    store: (_request: unknown, callback: (error: Error | null, state?: string) => void) =>
      callback(new Error('Conduit issues OAuth states itself (POST /authorizations).')),
    verify: (
      request: CallbackRequest,
      state: string,
      callback: (error: unknown, ok?: boolean, info?: unknown) => void,
    ) => {
      acceptState(state).then(
        (accepted) => {
          request.acceptedCallback = accepted;
          callback(null, true, accepted);
        },
        (error: unknown) => callback(error),
      );
    },
  } as unknown as StateStore;
}
