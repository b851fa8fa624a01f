import { AuthorizationService, OAuthCallbackError, type AcceptedCallback } from '@conduit/domain';
import { DestinationRegistry } from '@conduit/destinations-core';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request, Response } from 'express';
import { Passport } from 'passport';
import type { ApiEnv } from '../config/api.env';
import { publicUrlOf } from '../config/public-url';
import { ProviderOAuth2Strategy, type ExchangedGrant } from './provider-oauth2.strategy';

/** Where the browser goes after a callback, and what it is told. */
export interface CallbackOutcome {
  authorizationId?: string;
  status?: string;
  error?: string;
  message?: string;
}

type CallbackRequest = Request & { acceptedCallback?: AcceptedCallback };

/**
 * Runs OAuth callbacks through passport (one ProviderOAuth2Strategy per configured provider, on a
 * private Passport instance: no session, no global state), then records the outcome on the
 * authorization and redirects the browser to the configured return URL.
 */
@Injectable()
export class OAuthCallbackService {
  private readonly passport = new Passport();
  private readonly logger = new Logger(OAuthCallbackService.name);
  private readonly publicUrl: string;
  private readonly returnUrl: string;
  private readonly strategies = new Set<string>();

  constructor(
    private readonly authorizations: AuthorizationService,
    private readonly registry: DestinationRegistry,
    config: ConfigService<ApiEnv, true>,
  ) {
    this.publicUrl = publicUrlOf({
      PUBLIC_URL: config.get('PUBLIC_URL', { infer: true }),
      HOST: config.get('HOST', { infer: true }),
      PORT: config.get('PORT', { infer: true }),
    });
    this.returnUrl = config.get('OAUTH_RETURN_URL', { infer: true }) ?? `${this.publicUrl}/oauth/result`;
    for (const provider of registry.list()) {
      this.passport.use(
        provider.id,
        new ProviderOAuth2Strategy(provider, this.redirectUriFor(provider.id), (state) =>
          this.authorizations.acceptCallbackState(provider.id, state),
        ),
      );
      this.strategies.add(provider.id);
    }
  }

  /**
   * The redirect URI registered with the provider's app: the one its settings name (e.g. behind a
   * proxy), else this API's callback route.
   */
  redirectUriFor(providerId: string): string {
    return (
      this.registry.find(providerId)?.authorization.redirectUri ??
      `${this.publicUrl}/oauth/callback/${providerId}`
    );
  }

  /** Handles `GET /oauth/callback/:provider` and redirects the browser with the outcome. */
  async handle(providerId: string, request: CallbackRequest, response: Response): Promise<void> {
    const outcome = await this.run(providerId, request);
    if (outcome.error) {
      this.logger.warn(
        `OAuth callback for ${providerId} failed: ${outcome.error}` +
          (outcome.authorizationId ? ` (authorization ${outcome.authorizationId})` : ''),
      );
    }
    const target = new URL(this.returnUrl);
    for (const [key, value] of Object.entries(outcome)) {
      if (value !== undefined) target.searchParams.set(key, value);
    }
    response.redirect(303, target.toString());
  }

  private async run(providerId: string, request: CallbackRequest): Promise<CallbackOutcome> {
    if (!this.strategies.has(providerId)) {
      return {
        error: 'PROVIDER_NOT_CONFIGURED',
        message: `Destination provider "${providerId}" is not configured on this Conduit.`,
      };
    }
    const result = await new Promise<{ error?: unknown; grant?: ExchangedGrant; info?: unknown }>(
      (resolve) => {
        const authenticate = this.passport.authenticate(
          providerId,
          { session: false },
          (error: unknown, user: unknown, info: unknown) =>
            resolve({ error, grant: (user || undefined) as ExchangedGrant | undefined, info }),
        ) as (req: Request, res: unknown, next: (error?: unknown) => void) => void;
        authenticate(request, {}, (error) => resolve({ error }));
      },
    );
    if (result.grant) {
      const authorization = await this.authorizations.completeCallback(result.grant.accepted, result.grant);
      return { authorizationId: authorization.id, status: authorization.status };
    }
    const failure = await this.describeFailure(providerId, request, result.error, result.info);
    return {
      ...(failure.authorizationId ? { authorizationId: failure.authorizationId } : {}),
      // The authorization's status after the failure: a replay may meet an account already connected.
      ...(failure.authorizationStatus ? { status: failure.authorizationStatus } : {}),
      error: failure.code,
      message: failure.message,
    };
  }

  private async describeFailure(
    providerId: string,
    request: CallbackRequest,
    error: unknown,
    info: unknown,
  ): Promise<OAuthCallbackError> {
    if (error instanceof OAuthCallbackError) return error;
    // passport-oauth2 wraps the exchange's error (ours: a typed DestinationError) in InternalOAuthError.
    const cause = (error as { oauthError?: unknown } | undefined)?.oauthError ?? error;
    let accepted = request.acceptedCallback;
    if (!accepted) {
      // Consent denied or no code: passport never reached the state. Consume it now, so the failure is
      // recorded on the authorization it was for (and the state cannot be used again).
      try {
        const state = (request.query as Record<string, unknown>)['state'];
        accepted = await this.authorizations.acceptCallbackState(
          providerId,
          typeof state === 'string' ? state : undefined,
        );
      } catch (stateError) {
        if (stateError instanceof OAuthCallbackError) return stateError;
        throw stateError;
      }
    }
    const query = request.query as Record<string, unknown>;
    if (query['error'] !== undefined) {
      return this.authorizations.recordCallbackFailure(
        accepted,
        new OAuthCallbackError(
          'CONSENT_DENIED',
          `${accepted.provider.displayName} did not grant access${describeProviderError(query, info)}; ` +
            `start again with POST /authorizations/${accepted.authorizationId}/reauthorize.`,
        ),
      );
    }
    if (!cause) {
      return this.authorizations.recordCallbackFailure(
        accepted,
        new OAuthCallbackError(
          'CODE_MISSING',
          `${accepted.provider.displayName} redirected back without an authorization code; ` +
            `start again with POST /authorizations/${accepted.authorizationId}/reauthorize.`,
        ),
      );
    }
    return this.authorizations.recordCallbackFailure(accepted, cause);
  }
}

/** The provider's `error` / `error_description`, quoted briefly (they are the provider's words). */
function describeProviderError(query: Record<string, unknown>, info: unknown): string {
  const description = query['error_description'] ?? (info as { message?: unknown } | undefined)?.message;
  const parts = [query['error'], description].filter(
    (part): part is string => typeof part === 'string' && part.length > 0,
  );
  return parts.length ? ` (${parts.join(': ').slice(0, 200)})` : '';
}
