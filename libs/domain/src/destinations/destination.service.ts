import {
  DestinationRegistry,
  resolveConfig,
  validateConfig,
  type ConfigValue,
  type DestinationProvider,
  type FieldDefinition,
} from '@conduit/destinations-core';
import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../api-keys/api-key.service';
import type { Authorization } from '../authorizations/authorization.entity';
import { AuthorizationService } from '../authorizations/authorization.service';
import { CollaborationMember } from '../collaborations/collaboration.entity';
import { CollaborationService } from '../collaborations/collaboration.service';
import { DomainException, ErrorCode, type FieldProblem } from '../common/domain.exception';
import { compactConfig, invalidInput } from '../common/input-problems';
import { requireProvider } from '../common/providers';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { Destination, DestinationEvent, DestinationEventType, DestinationShare } from './destination.entity';

export interface CreateDestinationInput {
  name: string;
  provider: string;
  authorizationId: string;
  config?: Readonly<Record<string, unknown>>;
  editableFields?: readonly string[];
  visibleFields?: readonly string[];
}

/** A partial update: absent keys stay; in `config`, a null value clears the field. */
export interface UpdateDestinationInput {
  name?: string;
  authorizationId?: string;
  config?: Readonly<Record<string, unknown>>;
  editableFields?: readonly string[];
  visibleFields?: readonly string[];
}

/** A destination as one company may see it: its own (OWNER) or shared with it (GRANTEE). */
export interface DestinationAccess {
  destination: Destination;
  role: 'OWNER' | 'GRANTEE';
  /** For a grantee: the collaborations it was shared in (active shares only). */
  sharedIn: string[];
}

export interface DestinationListFilter {
  collaborationId?: string;
  provider?: string;
}

/** The config an export would run with: destination values + overrides, defaults applied. */
export interface ResolvedDestinationConfig {
  access: DestinationAccess;
  provider: DestinationProvider;
  config: Record<string, ConfigValue>;
}

/**
 * Destinations and their shares. The owner configures and shares; a grantee (a member company of the
 * collaboration the share names) may see the editable fields and the locked ones the owner marks
 * visible, and export with overrides of editable fields only. Every change is recorded as an event.
 */
@Injectable()
export class DestinationService {
  constructor(
    private readonly em: EntityManager,
    private readonly registry: DestinationRegistry,
    private readonly collaborations: CollaborationService,
    private readonly authorizations: AuthorizationService,
  ) {}

  async create(principal: Principal, input: CreateDestinationInput): Promise<Destination> {
    const authorization = await this.ownAuthorization(principal.companyId, input.authorizationId);
    const provider = requireProvider(this.registry, input.provider);
    checkConnects(authorization, provider.id);
    const settings = this.checkSettings(provider, authorization, {
      config: compactConfig(input.config ?? {}),
      editableFields: [...new Set(input.editableFields ?? [])],
      visibleFields: [...new Set(input.visibleFields ?? [])],
    });
    const destination = new Destination({
      owner: this.em.getReference(Company, principal.companyId),
      provider: provider.id,
      authorization,
      name: input.name.trim(),
      ...settings,
      createdBy: principal.apiKeyId,
    });
    this.em.persist(destination);
    this.record(destination, DestinationEventType.CREATED, principal, {
      name: destination.name,
      provider: destination.provider,
      authorizationId: authorization.id,
      config: destination.config,
      editableFields: destination.editableFields,
      visibleFields: destination.visibleFields,
    });
    await this.em.flush();
    return destination;
  }

  /** Mine and shared with me, oldest first; `collaborationId` narrows to what I may use there. */
  async list(
    companyId: string,
    request: PageRequest,
    filter: DestinationListFilter = {},
  ): Promise<Page<DestinationAccess>> {
    if (filter.collaborationId)
      await this.collaborations.membership(companyId, filter.collaborationId, 'collaborationId');
    const limit = pageLimit(request);
    const shared = await this.activeShares(companyId, { collaborationId: filter.collaborationId });
    const sharedIds = [...new Set(shared.map((share) => share.destination.id))];
    const rows = await this.em.find(
      Destination,
      {
        deletedAt: null,
        $or: [
          // Owned destinations are usable in every collaboration the owner belongs to.
          { owner: companyId },
          ...(sharedIds.length ? [{ id: { $in: sharedIds } }] : []),
        ],
        ...(filter.provider ? { provider: filter.provider } : {}),
        ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    const page = toPage(rows, limit);
    return {
      data: page.data.map((destination) => this.accessOf(companyId, destination, shared)),
      nextCursor: page.nextCursor,
    };
  }

  /** A destination I own or that is shared with me; anything else is a 404. */
  async get(companyId: string, destinationId: string): Promise<DestinationAccess> {
    const destination = await this.em.findOne(
      Destination,
      { id: destinationId, deletedAt: null },
      { populate: ['authorization'] },
    );
    if (destination) {
      if (destination.owner.id === companyId) return { destination, role: 'OWNER', sharedIn: [] };
      const shares = await this.activeShares(companyId, { destinationId: destination.id });
      if (shares.length > 0) return this.accessOf(companyId, destination, shares);
    }
    throw new DomainException(
      ErrorCode.DESTINATION_NOT_FOUND,
      `Destination ${destinationId} does not exist or is not shared with your company.`,
    );
  }

  async update(
    principal: Principal,
    destinationId: string,
    input: UpdateDestinationInput,
  ): Promise<Destination> {
    const destination = await this.owned(principal.companyId, destinationId, 'change it');
    const authorization = input.authorizationId
      ? await this.ownAuthorization(principal.companyId, input.authorizationId)
      : destination.authorization;
    if (!authorization) {
      throw invalid('This destination has no authorization any more; link one with authorizationId.', [
        { field: 'authorizationId', rule: 'required', message: 'link an authorization of this provider' },
      ]);
    }
    const provider = requireProvider(this.registry, destination.provider);
    checkConnects(authorization, provider.id);
    const merged: Record<string, unknown> = { ...destination.config };
    for (const [key, value] of Object.entries(input.config ?? {})) merged[key] = value;
    const settings = this.checkSettings(provider, authorization, {
      config: compactConfig(merged),
      editableFields: input.editableFields ? [...new Set(input.editableFields)] : destination.editableFields,
      visibleFields: input.visibleFields ? [...new Set(input.visibleFields)] : destination.visibleFields,
    });
    const before = snapshot(destination);
    destination.name = input.name?.trim() ?? destination.name;
    destination.authorization = authorization;
    destination.config = settings.config;
    destination.editableFields = settings.editableFields;
    destination.visibleFields = settings.visibleFields;
    const changes = diff(before, snapshot(destination));
    if (Object.keys(changes).length > 0) {
      this.record(destination, DestinationEventType.UPDATED, principal, changes);
      await this.em.flush();
    }
    return destination;
  }

  /** Soft delete: the destination disappears from lists, its shares end, its history stays. */
  async remove(principal: Principal, destinationId: string): Promise<Destination> {
    const destination = await this.owned(principal.companyId, destinationId, 'delete it');
    const now = new Date();
    destination.deletedAt = now;
    const shares = await this.em.find(DestinationShare, { destination, revokedAt: null });
    for (const share of shares) share.revokedAt = now;
    this.record(destination, DestinationEventType.DELETED, principal, {
      revokedShares: shares.map((share) => share.id),
    });
    await this.em.flush();
    return destination;
  }

  /** Shares with a member company of a collaboration the owner belongs to. */
  async share(
    principal: Principal,
    destinationId: string,
    input: { collaborationId: string; companyId: string },
  ): Promise<DestinationShare> {
    const destination = await this.owned(principal.companyId, destinationId, 'share it');
    const collaboration = (
      await this.collaborations.membership(principal.companyId, input.collaborationId, 'collaborationId')
    ).collaboration;
    if (input.companyId === principal.companyId) {
      throw invalid('A destination cannot be shared with its owner.', [
        { field: 'companyId', rule: 'notOwner', message: 'must be another company' },
      ]);
    }
    const grantee = await this.em.findOne(CollaborationMember, {
      collaboration: collaboration.id,
      company: input.companyId,
    });
    if (!grantee) {
      throw new DomainException(
        ErrorCode.SHARE_GRANTEE_NOT_MEMBER,
        `Company ${input.companyId} is not a member of collaboration ${collaboration.id}; add it to the collaboration first.`,
        [{ field: 'companyId', rule: 'member', message: 'must be a member company of the collaboration' }],
      );
    }
    const existing = await this.em.findOne(DestinationShare, {
      destination,
      collaboration: collaboration.id,
      grantee: input.companyId,
      revokedAt: null,
    });
    if (existing) {
      throw new DomainException(
        ErrorCode.DESTINATION_SHARE_EXISTS,
        `Destination ${destination.id} is already shared with company ${input.companyId} in collaboration ${collaboration.id} (share ${existing.id}).`,
        [
          {
            field: 'companyId',
            rule: 'unique',
            message: 'already has an active share in this collaboration',
          },
        ],
      );
    }
    const share = new DestinationShare(
      destination,
      collaboration,
      this.em.getReference(Company, input.companyId),
      principal.apiKeyId,
    );
    this.em.persist(share);
    this.record(destination, DestinationEventType.SHARED, principal, {
      shareId: share.id,
      collaborationId: collaboration.id,
      companyId: input.companyId,
    });
    await this.em.flush();
    return share;
  }

  /** Every share of the destination, active and revoked, oldest first (owner only). */
  async listShares(
    companyId: string,
    destinationId: string,
    request: PageRequest,
  ): Promise<Page<DestinationShare>> {
    const destination = await this.owned(companyId, destinationId, 'list its shares');
    const limit = pageLimit(request);
    const rows = await this.em.find(
      DestinationShare,
      { destination, ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}) },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  /** Ends a share at once: new exports by the grantee are refused; running ones finish. */
  async revokeShare(principal: Principal, destinationId: string, shareId: string): Promise<DestinationShare> {
    const destination = await this.owned(principal.companyId, destinationId, 'revoke its shares');
    const share = await this.em.findOne(DestinationShare, { id: shareId, destination });
    if (!share) {
      throw new DomainException(
        ErrorCode.DESTINATION_SHARE_NOT_FOUND,
        `Share ${shareId} does not exist on destination ${destinationId}.`,
      );
    }
    if (!share.revokedAt) {
      share.revokedAt = new Date();
      this.record(destination, DestinationEventType.SHARE_REVOKED, principal, {
        shareId: share.id,
        collaborationId: share.collaboration.id,
        companyId: share.grantee.id,
      });
      await this.em.flush();
    }
    return share;
  }

  async history(
    companyId: string,
    destinationId: string,
    request: PageRequest,
  ): Promise<Page<DestinationEvent>> {
    const destination = await this.em.findOne(Destination, { id: destinationId, owner: companyId });
    if (!destination) await this.owned(companyId, destinationId, 'read its history');
    const limit = pageLimit(request);
    const rows = await this.em.find(
      DestinationEvent,
      {
        destination: destinationId,
        ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}),
      },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  /**
   * The config an export by `companyId` would use: the destination's values plus `overrides` of
   * editable fields, validated by the provider's schema, defaults applied. Overriding a locked field,
   * an unknown field, or an invalid value is refused naming the field; so is a revoked share.
   */
  async resolveForExport(
    companyId: string,
    destinationId: string,
    overrides: Readonly<Record<string, unknown>> = {},
    options: { collaborationId?: string } = {},
  ): Promise<ResolvedDestinationConfig> {
    const access = await this.get(companyId, destinationId);
    const { destination } = access;
    if (
      options.collaborationId &&
      access.role === 'GRANTEE' &&
      !access.sharedIn.includes(options.collaborationId)
    ) {
      throw new DomainException(
        ErrorCode.DESTINATION_NOT_FOUND,
        `Destination ${destinationId} is not shared with your company in collaboration ${options.collaborationId}.`,
      );
    }
    const provider = requireProvider(this.registry, destination.provider);
    const problems: FieldProblem[] = [];
    const known = new Map(provider.fields.map((field) => [field.key, field]));
    for (const key of Object.keys(overrides)) {
      if (!known.has(key)) {
        problems.push({
          field: `overrides.${key}`,
          rule: 'unknownField',
          message: `is not a field of this destination; known fields: ${[...known.keys()].join(', ')}`,
        });
      } else if (!destination.editableFields.includes(key)) {
        problems.push({
          field: `overrides.${key}`,
          rule: 'locked',
          message: `${known.get(key)?.label ?? key} is locked by the destination owner and cannot be set at export time`,
        });
      }
    }
    if (problems.length > 0) throw invalidInput('The overrides are invalid', problems);
    if (!destination.authorization) {
      throw new DomainException(
        ErrorCode.DESTINATION_WITHOUT_AUTHORIZATION,
        `Destination ${destination.id} has no authorization any more (it was deleted); its owner must link one.`,
      );
    }
    const merged = compactConfig({ ...destination.config, ...overrides });
    const accountIds = destination.authorization.accounts.map((account) => account.id);
    // Problems name what the caller can fix: `overrides.x` for a value it gave, else `config.x`.
    const schemaProblems = validateConfig(provider.fields, merged, { accountIds }).map((problem) => {
      const key = problem.field.replace(/^config\./, '');
      return key in overrides ? { ...problem, field: `overrides.${key}` } : problem;
    });
    if (schemaProblems.length > 0) {
      throw invalidInput('The export config is invalid', schemaProblems);
    }
    return { access, provider, config: resolveConfig(provider.fields, merged) };
  }

  private checkSettings(
    provider: DestinationProvider,
    authorization: Authorization,
    settings: { config: Record<string, ConfigValue>; editableFields: string[]; visibleFields: string[] },
  ): { config: Record<string, ConfigValue>; editableFields: string[]; visibleFields: string[] } {
    const fields = new Map(provider.fields.map((field) => [field.key, field]));
    const problems: FieldProblem[] = [];
    const checkKeys = (list: string[], name: 'editableFields' | 'visibleFields') =>
      list.forEach((key, index) => {
        const field = fields.get(key);
        if (!field) {
          problems.push({
            field: `${name}[${index}]`,
            rule: 'unknownField',
            message: `"${key}" is not a field of ${provider.displayName}; known fields: ${[...fields.keys()].join(', ')}`,
          });
        } else if (name === 'editableFields' && !field.editable) {
          problems.push({
            field: `${name}[${index}]`,
            rule: 'editable',
            message: `${field.label} cannot be editable at export time (${provider.displayName} fixes it per destination)`,
          });
        }
      });
    checkKeys(settings.editableFields, 'editableFields');
    checkKeys(settings.visibleFields, 'visibleFields');
    const editable = new Set(settings.editableFields);
    const accountIds = authorization.accounts.map((account) => account.id);
    for (const problem of validateConfig(provider.fields, settings.config, { accountIds })) {
      const key = problem.field.replace(/^config\./, '');
      // A required field may stay empty when it is editable: the exporting company must then give it.
      if (problem.rule === 'required' && editable.has(key)) continue;
      problems.push(
        problem.rule === 'required'
          ? { ...problem, message: `${problem.message} (or mark it editable, to be given at export time)` }
          : problem,
      );
    }
    if (problems.length > 0) throw invalidInput('The destination is invalid', problems);
    return {
      config: settings.config,
      editableFields: order(provider.fields, settings.editableFields),
      visibleFields: order(
        provider.fields,
        settings.visibleFields.filter((key) => !editable.has(key)),
      ),
    };
  }

  /** The destination, if the company owns it (what only an owner may do, e.g. read its exports). */
  requireOwner(companyId: string, destinationId: string, action: string): Promise<Destination> {
    return this.owned(companyId, destinationId, action);
  }

  private ownAuthorization(companyId: string, authorizationId: string): Promise<Authorization> {
    return this.authorizations.get(companyId, authorizationId, { field: 'authorizationId' });
  }

  /** The destination, if the company owns it; a grantee is told it may not, anyone else gets a 404. */
  private async owned(companyId: string, destinationId: string, action: string): Promise<Destination> {
    const { destination, role } = await this.get(companyId, destinationId);
    if (role !== 'OWNER') {
      throw new DomainException(
        ErrorCode.DESTINATION_OWNER_ONLY,
        `Destination ${destinationId} is shared with your company; only its owner can ${action}.`,
      );
    }
    return destination;
  }

  /** Active shares to a company in collaborations it still belongs to (leaving one ends its shares there). */
  private activeShares(
    companyId: string,
    filter: { collaborationId?: string; destinationId?: string },
  ): Promise<DestinationShare[]> {
    return this.em.find(DestinationShare, {
      grantee: companyId,
      revokedAt: null,
      destination: { deletedAt: null, ...(filter.destinationId ? { id: filter.destinationId } : {}) },
      collaboration: {
        members: { company: companyId },
        ...(filter.collaborationId ? { id: filter.collaborationId } : {}),
      },
    });
  }

  private accessOf(
    companyId: string,
    destination: Destination,
    shares: DestinationShare[],
  ): DestinationAccess {
    if (destination.owner.id === companyId) return { destination, role: 'OWNER', sharedIn: [] };
    const sharedIn = shares
      .filter((share) => share.destination.id === destination.id)
      .map((share) => share.collaboration.id);
    return { destination, role: 'GRANTEE', sharedIn: [...new Set(sharedIn)].sort() };
  }

  private record(
    destination: Destination,
    type: DestinationEventType,
    actor: Principal | null,
    changes: Record<string, unknown>,
  ): void {
    this.em.persist(new DestinationEvent(destination, type, actor, changes));
  }
}

/** The authorization must connect the destination's provider (a TikTok destination, a TikTok account). */
function checkConnects(authorization: Authorization, providerId: string): void {
  if (authorization.provider === providerId) return;
  throw invalid(`Authorization ${authorization.id} connects ${authorization.provider}, not ${providerId}.`, [
    {
      field: 'authorizationId',
      rule: 'provider',
      message: `must be an authorization of provider ${providerId} (this one is ${authorization.provider})`,
    },
  ]);
}

function invalid(message: string, details: FieldProblem[]): DomainException {
  return new DomainException(ErrorCode.VALIDATION_FAILED, message, details);
}

/** Field keys in the provider's schema order (stable output, readable diffs). */
function order(fields: readonly FieldDefinition[], keys: readonly string[]): string[] {
  const wanted = new Set(keys);
  return fields.map((field) => field.key).filter((key) => wanted.has(key));
}

function snapshot(destination: Destination): Record<string, unknown> {
  return {
    name: destination.name,
    authorizationId: destination.authorization?.id ?? null,
    ...Object.fromEntries(Object.entries(destination.config).map(([key, value]) => [`config.${key}`, value])),
    editableFields: destination.editableFields,
    visibleFields: destination.visibleFields,
  };
}

function diff(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to };
  }
  return changes;
}
