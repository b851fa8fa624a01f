import {
  DestinationRegistry,
  InvalidCredentialsError,
  isDestinationError,
  RetryableError,
  type DestinationProvider,
  type ExternalAccount,
  type ProviderCredentials,
} from '@conduit/destinations-core';
import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../api-keys/api-key.service';
import { Clock } from '../common/clock';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { requireProvider } from '../common/providers';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { CredentialCipher } from '../crypto/credential-cipher';
import { Destination, DestinationEvent, DestinationEventType } from '../destinations/destination.entity';
import { Authorization, AuthorizationStatus, type AuthorizedAccount } from './authorization.entity';
import { hashNonce, OAuthStateCodec } from './oauth-state';

/** Settings the authorization flow reads; the app derives them from its configuration. */
export abstract class AuthorizationSettings {
  /** How long an authorize URL's `state` stays usable. */
  abstract readonly stateTtlMs: number;
}

/** Why a callback did not connect the account: a stable code, a sentence a person can act on. */
export class OAuthCallbackError extends Error {
  constructor(
    readonly code: OAuthFailureCode,
    message: string,
    /** The authorization the callback was for, when the state identified one. */
    readonly authorizationId?: string,
    /** That authorization's status after the callback (a replay may meet a connected account). */
    readonly authorizationStatus?: AuthorizationStatus,
  ) {
    super(message);
    this.name = 'OAuthCallbackError';
  }
}

export type OAuthFailureCode =
  | 'STATE_MISSING'
  | 'STATE_INVALID'
  | 'STATE_EXPIRED'
  | 'STATE_ALREADY_USED'
  | 'CONSENT_DENIED'
  | 'CODE_MISSING'
  | 'PROVIDER_REJECTED'
  | 'PROVIDER_UNAVAILABLE';

/** A state that passed every check and was consumed: the callback may now exchange its code. */
export interface AcceptedCallback {
  authorizationId: string;
  companyId: string;
  provider: DestinationProvider;
}

export interface AuthorizationListFilter {
  provider?: string;
  status?: AuthorizationStatus;
}

export interface StartedAuthorization {
  authorization: Authorization;
  /** Where to send the account owner's browser to give consent. */
  authorizeUrl: string;
  /** When the authorize URL stops working. */
  authorizeUrlExpiresAt: Date;
}

export interface HealthCheckOutcome {
  authorizationId: string;
  status: AuthorizationStatus;
  error?: string;
}

/**
 * Connects company accounts at destination providers through OAuth 2.0, stores the credentials
 * encrypted, and keeps their status true (health checks). Every read is scoped to the caller's company:
 * another company's id is "not found".
 */
@Injectable()
export class AuthorizationService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DestinationRegistry,
    private readonly cipher: CredentialCipher,
    private readonly states: OAuthStateCodec,
    private readonly clock: Clock,
    @Inject(AuthorizationSettings) private readonly settings: AuthorizationSettings,
  ) {}

  /** Creates a PENDING authorization and the URL where the account owner consents. */
  async create(
    principal: Principal,
    input: { name: string; provider: string },
    redirectUri: string,
  ): Promise<StartedAuthorization> {
    const provider = requireProvider(this.registry, input.provider);
    const company = await this.em.findOneOrFail(Company, { id: principal.companyId });
    const authorization = new Authorization(company, provider.id, input.name.trim(), principal.apiKeyId);
    const started = this.start(authorization, provider, redirectUri);
    this.em.persist(authorization);
    await this.flushNamed(authorization.name);
    return started;
  }

  async list(
    companyId: string,
    request: PageRequest,
    filter: AuthorizationListFilter = {},
  ): Promise<Page<Authorization>> {
    const limit = pageLimit(request);
    const rows = await this.em.find(
      Authorization,
      {
        company: companyId,
        ...(filter.provider ? { provider: filter.provider } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  /** The company's authorization; `field` names the request field that referred to it in the 404. */
  async get(
    companyId: string,
    authorizationId: string,
    options: { field?: string } = {},
  ): Promise<Authorization> {
    const authorization = await this.em.findOne(Authorization, {
      id: authorizationId,
      company: companyId,
    });
    if (!authorization) {
      throw new DomainException(
        ErrorCode.AUTHORIZATION_NOT_FOUND,
        `Authorization ${authorizationId} does not exist in your company.`,
        options.field
          ? [{ field: options.field, rule: 'exists', message: 'must be an authorization of your company' }]
          : undefined,
      );
    }
    return authorization;
  }

  async rename(companyId: string, authorizationId: string, name: string): Promise<Authorization> {
    const authorization = await this.get(companyId, authorizationId);
    authorization.name = name.trim();
    await this.flushNamed(authorization.name);
    return authorization;
  }

  /** A fresh authorize URL for the same record (consent again, e.g. after REVOKED or ERROR). */
  async reauthorize(
    companyId: string,
    authorizationId: string,
    redirectUri: string,
  ): Promise<StartedAuthorization> {
    const authorization = await this.get(companyId, authorizationId);
    const started = this.start(
      authorization,
      requireProvider(this.registry, authorization.provider),
      redirectUri,
    );
    await this.em.flush();
    return started;
  }

  /**
   * Deletes the authorization and its credentials. The provider is asked to revoke the token first;
   * when it cannot (down, already revoked) the record is deleted anyway and the answer says so.
   */
  async remove(
    principal: Principal,
    authorizationId: string,
    options: { force?: boolean } = {},
  ): Promise<{ revokedAtProvider: boolean; detachedDestinations: string[] }> {
    const authorization = await this.get(principal.companyId, authorizationId);
    const users = await this.em.find(
      Destination,
      { authorization, deletedAt: null },
      { orderBy: { id: 'asc' }, fields: ['id'] },
    );
    if (users.length > 0 && !options.force) {
      const ids = users.map((destination) => destination.id);
      throw new DomainException(
        ErrorCode.AUTHORIZATION_IN_USE,
        `Authorization ${authorization.id} is used by ${ids.length} destination(s): ${ids.slice(0, 10).join(', ')}` +
          `${ids.length > 10 ? ', …' : ''}. Link them to another authorization, or delete with ?force=true ` +
          '(their exports then fail until an authorization is linked).',
      );
    }
    let revokedAtProvider = false;
    const provider = this.registry.find(authorization.provider);
    if (provider && authorization.encryptedCredentials) {
      try {
        await provider.authorization.revoke(this.credentialsOf(authorization));
        revokedAtProvider = true;
      } catch {
        revokedAtProvider = false;
      }
    }
    for (const destination of users) {
      this.em.persist(
        new DestinationEvent(
          this.em.getReference(Destination, destination.id),
          DestinationEventType.AUTHORIZATION_REMOVED,
          principal,
          { authorizationId: authorization.id },
        ),
      );
    }
    // The foreign key sets the destinations' authorization to null.
    this.em.remove(authorization);
    await this.em.flush();
    return { revokedAtProvider, detachedDestinations: users.map((destination) => destination.id) };
  }

  /**
   * The first half of a callback: checks the `state` (signature, deadline, company, single use) and
   * consumes it, so a replay of the same callback fails here. Failures are recorded on the
   * authorization when the state names one we issued; the status does not change.
   */
  async acceptCallbackState(providerId: string, state: string | undefined): Promise<AcceptedCallback> {
    if (!state) {
      throw new OAuthCallbackError(
        'STATE_MISSING',
        'The callback carries no state; start the authorization again from Conduit.',
      );
    }
    const now = this.clock.now();
    const check = this.states.check(state, now);
    if (!check.valid && check.reason !== 'EXPIRED') {
      throw new OAuthCallbackError(
        'STATE_INVALID',
        'The callback state was not issued by this Conduit (forged or damaged); start the authorization again from Conduit.',
      );
    }
    const claims = check.claims;
    const authorization = await this.em.findOne(Authorization, {
      id: claims.authorizationId,
      company: claims.companyId,
    });
    if (!authorization || authorization.provider !== providerId) {
      throw new OAuthCallbackError(
        'STATE_INVALID',
        'The callback state does not belong to an authorization of this provider; start the authorization again from Conduit.',
      );
    }
    // Only the flow in progress (the state whose nonce the authorization still waits for) may record
    // its failure: anyone can replay an old callback URL, and must not mark a healthy connection.
    const inProgress = authorization.stateNonceHash === hashNonce(claims.nonce);
    const fail = async (code: OAuthFailureCode, message: string): Promise<never> => {
      if (inProgress) {
        authorization.recordError(code, message, now);
        await this.em.flush();
      }
      throw new OAuthCallbackError(code, message, authorization.id, authorization.status);
    };
    if (!check.valid) {
      return fail(
        'STATE_EXPIRED',
        `The authorize URL expired at ${claims.expiresAt.toISOString()} before consent was given; ` +
          `get a new one with POST /authorizations/${authorization.id}/reauthorize.`,
      );
    }
    // Single use, even under concurrent callbacks: only one conditional update can clear the nonce.
    const consumed = await this.em.nativeUpdate(
      Authorization,
      { id: authorization.id, stateNonceHash: hashNonce(claims.nonce) },
      { stateNonceHash: null },
    );
    if (consumed !== 1) {
      // Never recorded: the state was in progress when read, but another callback (the same one sent
      // twice, or a newer URL) took it since; that flow's outcome is the one to keep.
      throw new OAuthCallbackError(
        'STATE_ALREADY_USED',
        'This authorize URL was already used (or replaced by a newer one); ' +
          `get a new one with POST /authorizations/${authorization.id}/reauthorize.`,
        authorization.id,
        (await this.em.findOne(Authorization, { id: authorization.id }, { refresh: true }))?.status,
      );
    }
    authorization.stateNonceHash = null;
    return {
      authorizationId: authorization.id,
      companyId: claims.companyId,
      provider: requireProvider(this.registry, providerId),
    };
  }

  /** Records a failed callback (consent denied, code exchange refused, provider down). */
  async recordCallbackFailure(accepted: AcceptedCallback, error: unknown): Promise<OAuthCallbackError> {
    const failure = describeCallbackFailure(error, accepted);
    const authorization = await this.em.findOneOrFail(Authorization, { id: accepted.authorizationId });
    authorization.recordError(failure.code, failure.message, this.clock.now());
    // A working connection stays usable when a re-consent fails; a new one is in ERROR.
    if (!authorization.encryptedCredentials) authorization.status = AuthorizationStatus.ERROR;
    await this.em.flush();
    return new OAuthCallbackError(failure.code, failure.message, authorization.id, authorization.status);
  }

  /** The second half: stores the exchanged credentials and the accounts they grant. */
  async completeCallback(
    accepted: AcceptedCallback,
    result: { credentials: ProviderCredentials; accounts: readonly ExternalAccount[] },
  ): Promise<Authorization> {
    const authorization = await this.em.findOneOrFail(Authorization, { id: accepted.authorizationId });
    const now = this.clock.now();
    authorization.encryptedCredentials = this.encrypt(authorization, result.credentials);
    authorization.accounts = normalizeAccounts(result.accounts);
    authorization.status = AuthorizationStatus.AUTHENTICATED;
    authorization.authenticatedAt = now;
    authorization.lastCheckedAt = now;
    authorization.clearError();
    await this.em.flush();
    return authorization;
  }

  /** Decrypted credentials, for the export runner only (never for an API response). */
  async credentialsFor(companyId: string, authorizationId: string): Promise<ProviderCredentials> {
    const authorization = await this.get(companyId, authorizationId);
    if (authorization.status !== AuthorizationStatus.AUTHENTICATED || !authorization.encryptedCredentials) {
      throw new DomainException(
        ErrorCode.AUTHORIZATION_NOT_AUTHENTICATED,
        `Authorization ${authorization.id} is ${authorization.status}; re-authorize it with POST /authorizations/${authorization.id}/reauthorize.`,
      );
    }
    return this.credentialsOf(authorization);
  }

  /** The provider refused the credentials during an export: REVOKED, with its words, until reconnected. */
  async markCredentialsRefused(authorizationId: string, message: string): Promise<void> {
    const authorization = await this.em.findOne(Authorization, { id: authorizationId });
    if (!authorization || authorization.status !== AuthorizationStatus.AUTHENTICATED) return;
    authorization.status = AuthorizationStatus.REVOKED;
    authorization.recordError('CREDENTIALS_REFUSED', message, this.clock.now());
    await this.em.flush();
  }

  /**
   * Health-checks AUTHENTICATED authorizations not checked within `intervalMs`, at most `batchSize`
   * per call. Each one is claimed with a conditional update, so scheduler replicas never check the same
   * authorization twice. Credentials the provider refuses → REVOKED with the reason; a provider outage
   * is recorded and the status kept (it is not the account owner's doing).
   */
  async checkDue(intervalMs: number, batchSize: number): Promise<HealthCheckOutcome[]> {
    const now = this.clock.now();
    const dueBefore = new Date(now.getTime() - intervalMs);
    const due = await this.em.find(
      Authorization,
      {
        status: AuthorizationStatus.AUTHENTICATED,
        $or: [{ lastCheckedAt: null }, { lastCheckedAt: { $lte: dueBefore } }],
      },
      { orderBy: { lastCheckedAt: 'asc', id: 'asc' }, limit: batchSize },
    );
    const outcomes: HealthCheckOutcome[] = [];
    for (const authorization of due) {
      const claimed = await this.em.nativeUpdate(
        Authorization,
        { id: authorization.id, lastCheckedAt: authorization.lastCheckedAt },
        { lastCheckedAt: now },
      );
      if (claimed !== 1) continue;
      authorization.lastCheckedAt = now;
      outcomes.push(await this.checkOne(authorization));
    }
    return outcomes;
  }

  /** Re-encrypts every row not encrypted with the current key (after a key rotation); returns the count. */
  async reencryptAll(batchSize = 200): Promise<number> {
    let rewritten = 0;
    let after = '';
    for (;;) {
      const rows = await this.em.find(
        Authorization,
        { encryptedCredentials: { $ne: null }, id: { $gt: after } },
        { orderBy: { id: 'asc' }, limit: batchSize },
      );
      if (rows.length === 0) return rewritten;
      for (const authorization of rows) {
        const value = authorization.encryptedCredentials as string;
        if (this.cipher.needsReencryption(value)) {
          authorization.encryptedCredentials = this.encrypt(authorization, this.credentialsOf(authorization));
          rewritten++;
        }
      }
      await this.em.flush();
      this.em.clear();
      after = rows[rows.length - 1].id;
    }
  }

  private async checkOne(authorization: Authorization): Promise<HealthCheckOutcome> {
    const provider = this.registry.find(authorization.provider);
    const at = this.clock.now();
    if (!provider) {
      return {
        authorizationId: authorization.id,
        status: authorization.status,
        error: 'provider unavailable',
      };
    }
    try {
      const { accounts } = await provider.authorization.checkHealth(this.credentialsOf(authorization));
      authorization.accounts = normalizeAccounts(accounts);
      authorization.clearError();
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        authorization.status = AuthorizationStatus.REVOKED;
        authorization.recordError('CREDENTIALS_REFUSED', error.message, at);
      } else {
        const message = isDestinationError(error)
          ? error.message
          : `The health check failed unexpectedly (${error instanceof Error ? error.name : 'unknown error'}).`;
        authorization.recordError('HEALTH_CHECK_FAILED', message, at);
      }
    }
    await this.em.flush();
    return {
      authorizationId: authorization.id,
      status: authorization.status,
      ...(authorization.lastErrorMessage ? { error: authorization.lastErrorMessage } : {}),
    };
  }

  private start(
    authorization: Authorization,
    provider: DestinationProvider,
    redirectUri: string,
  ): StartedAuthorization {
    const { state, claims } = this.states.issue({
      authorizationId: authorization.id,
      companyId: authorization.company.id,
      ttlMs: this.settings.stateTtlMs,
      now: this.clock.now(),
    });
    // Issuing a new state replaces the previous one: only the latest authorize URL works.
    authorization.stateNonceHash = hashNonce(claims.nonce);
    if (authorization.status === AuthorizationStatus.ERROR)
      authorization.status = AuthorizationStatus.PENDING;
    return {
      authorization,
      authorizeUrl: provider.authorization.buildAuthorizeUrl({ state, redirectUri }),
      authorizeUrlExpiresAt: claims.expiresAt,
    };
  }

  private encrypt(authorization: Authorization, credentials: ProviderCredentials): string {
    return this.cipher.encrypt(JSON.stringify(credentials), authorization.id);
  }

  private credentialsOf(authorization: Authorization): ProviderCredentials {
    return JSON.parse(
      this.cipher.decrypt(authorization.encryptedCredentials as string, authorization.id),
    ) as ProviderCredentials;
  }

  private async flushNamed(name: string): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new DomainException(
          ErrorCode.AUTHORIZATION_NAME_TAKEN,
          `Your company already has an authorization named "${name}"; choose another name.`,
          [{ field: 'name', rule: 'unique', message: 'must be unique within your company' }],
        );
      }
      throw error;
    }
  }
}

function normalizeAccounts(accounts: readonly ExternalAccount[]): AuthorizedAccount[] {
  return accounts.map(({ id, name }) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id));
}

function describeCallbackFailure(error: unknown, accepted: AcceptedCallback): OAuthCallbackError {
  const name = accepted.provider.displayName;
  if (error instanceof OAuthCallbackError) {
    return new OAuthCallbackError(error.code, error.message, accepted.authorizationId);
  }
  if (error instanceof RetryableError) {
    return new OAuthCallbackError(
      'PROVIDER_UNAVAILABLE',
      `${name} could not complete the authorization: ${error.message} Try again with POST /authorizations/${accepted.authorizationId}/reauthorize.`,
      accepted.authorizationId,
    );
  }
  if (isDestinationError(error)) {
    return new OAuthCallbackError('PROVIDER_REJECTED', error.message, accepted.authorizationId);
  }
  return new OAuthCallbackError(
    'PROVIDER_UNAVAILABLE',
    `${name} answered the authorization unexpectedly; try again with POST /authorizations/${accepted.authorizationId}/reauthorize.`,
    accepted.authorizationId,
  );
}
