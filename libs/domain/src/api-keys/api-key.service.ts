import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import type { Page, PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { ApiKeyCache } from './api-key-cache';
import { ApiKey } from './api-key.entity';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key.secret';

/** How stale `lastUsedAt` may get before a request refreshes it: one write per key per minute at most. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The full secret: returned once, never stored, never logged. */
  secret: string;
}

/** Who is calling: resolved from a valid, unrevoked API key. */
export interface Principal {
  companyId: string;
  apiKeyId: string;
}

@Injectable()
export class ApiKeyService {
  /**
   * Valid keys this process checked in the last 5 s (API_KEY_CACHE_TTL_MS): a request then costs no
   * database lookup. A key revoked here is refused at once; revoked through another process, within 5 s.
   */
  private readonly cache = new ApiKeyCache();

  constructor(private readonly em: EntityManager) {}

  private get keys() {
    return this.em.getRepository(ApiKey);
  }

  async create(companyId: string, name: string): Promise<CreatedApiKey> {
    const company = await this.em.findOne(Company, { id: companyId });
    if (!company) {
      throw new DomainException(ErrorCode.COMPANY_NOT_FOUND, `Company ${companyId} does not exist.`);
    }
    const { secret, prefix, hash } = generateApiKey();
    const apiKey = new ApiKey(company, name.trim(), prefix, hash);
    await this.em.persistAndFlush(apiKey);
    return { apiKey, secret };
  }

  list(companyId: string, page: PageRequest): Promise<Page<ApiKey>> {
    return this.keys.pageForCompany(companyId, page);
  }

  async get(companyId: string, apiKeyId: string): Promise<ApiKey> {
    const apiKey = await this.keys.findForCompany(companyId, apiKeyId);
    if (!apiKey) {
      throw new DomainException(
        ErrorCode.API_KEY_NOT_FOUND,
        `API key ${apiKeyId} does not exist in your company.`,
      );
    }
    return apiKey;
  }

  /**
   * Revokes a key at once. The last active key of a company cannot be revoked through the API, so a
   * company never locks itself out; create a new key first (or use the operator command).
   */
  async revoke(companyId: string, apiKeyId: string): Promise<ApiKey> {
    const apiKey = await this.get(companyId, apiKeyId);
    if (apiKey.revokedAt) {
      throw new DomainException(
        ErrorCode.API_KEY_ALREADY_REVOKED,
        `API key ${apiKeyId} was already revoked at ${apiKey.revokedAt.toISOString()}.`,
      );
    }
    if ((await this.keys.countActive(companyId)) <= 1) {
      throw new DomainException(
        ErrorCode.API_KEY_LAST_ACTIVE,
        `API key ${apiKeyId} is your company's last active key; create another key before revoking this one.`,
      );
    }
    apiKey.revokedAt = new Date();
    await this.em.flush();
    this.cache.forget(apiKey.id);
    return apiKey;
  }

  /** Resolves a bearer secret to its company, or null when it is malformed, unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | null> {
    if (!looksLikeApiKey(secret)) {
      return null;
    }
    const hash = hashApiKey(secret);
    const cached = this.cache.get(hash);
    if (cached) {
      await this.touch(cached);
      return cached.principal;
    }
    const apiKey = await this.keys.findByHash(hash);
    if (!apiKey || apiKey.revokedAt) {
      return null;
    }
    const principal = { companyId: apiKey.company.id, apiKeyId: apiKey.id };
    const known = { principal, lastUsedAt: apiKey.lastUsedAt?.getTime() ?? 0 };
    await this.touch(known);
    this.cache.set(hash, known);
    return principal;
  }

  /** Records when the key was last used, once a minute at most (LAST_USED_RESOLUTION_MS). */
  private async touch(key: { principal: Principal; lastUsedAt: number }): Promise<void> {
    const now = Date.now();
    if (now - key.lastUsedAt <= LAST_USED_RESOLUTION_MS) return;
    key.lastUsedAt = now;
    // A direct update: authentication must not flush whatever else the request's unit of work holds.
    await this.keys.nativeUpdate({ id: key.principal.apiKeyId }, { lastUsedAt: new Date(now) });
  }
}
