import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { Collaboration, CollaborationMember, CollaborationRole } from './collaboration.entity';

export interface CreateCollaborationInput {
  name: string;
  /** Companies to add as members straight away (besides the owner). */
  memberCompanyIds?: string[];
}

@Injectable()
export class CollaborationService {
  constructor(private readonly em: EntityManager) {}

  async create(ownerCompanyId: string, input: CreateCollaborationInput): Promise<Collaboration> {
    const owner = await this.em.findOneOrFail(Company, { id: ownerCompanyId });
    const memberIds = [...new Set(input.memberCompanyIds ?? [])].filter((id) => id !== ownerCompanyId);
    const members = await this.findCompanies(memberIds, 'memberCompanyIds');
    const collaboration = new Collaboration(input.name.trim(), owner);
    collaboration.members.add(new CollaborationMember(collaboration, owner, CollaborationRole.OWNER));
    for (const company of members) {
      collaboration.members.add(new CollaborationMember(collaboration, company, CollaborationRole.MEMBER));
    }
    await this.em.persistAndFlush(collaboration);
    return this.get(ownerCompanyId, collaboration.id);
  }

  /** The collaborations the company belongs to (as owner or member), in creation order. */
  async list(companyId: string, request: PageRequest): Promise<Page<Collaboration>> {
    const limit = pageLimit(request);
    const rows = await this.em.find(
      Collaboration,
      {
        members: { company: companyId },
        ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}),
      },
      {
        orderBy: { id: 'asc' },
        limit: limit + 1,
      },
    );
    const page = toPage(rows, limit);
    // The membership filter above only joined my own row: load each collaboration's full member list
    // (the owner is one of them, with role OWNER).
    await this.em.populate(page.data, ['members.company'], { refresh: true });
    return page;
  }

  /** A collaboration the company belongs to; anything else (missing or foreign) is a 404. */
  async get(companyId: string, collaborationId: string): Promise<Collaboration> {
    await this.membership(companyId, collaborationId);
    return this.em.findOneOrFail(
      Collaboration,
      { id: collaborationId },
      { populate: ['owner', 'members.company'] },
    );
  }

  /**
   * The company's membership of a collaboration (its collaboration loaded); missing or foreign is a
   * 404. `field` names the request field that carried the id, for the error's details.
   */
  async membership(companyId: string, collaborationId: string, field?: string): Promise<CollaborationMember> {
    const member = await this.em.findOne(
      CollaborationMember,
      { collaboration: collaborationId, company: companyId },
      { populate: ['collaboration'] },
    );
    if (!member) throw notFound(collaborationId, field);
    return member;
  }

  async addMember(
    companyId: string,
    collaborationId: string,
    memberCompanyId: string,
  ): Promise<Collaboration> {
    const collaboration = await this.getAsOwner(companyId, collaborationId, 'add members');
    if (collaboration.members.getItems().some((member) => member.company.id === memberCompanyId)) {
      throw new DomainException(
        ErrorCode.COLLABORATION_MEMBER_EXISTS,
        `Company ${memberCompanyId} is already a member of collaboration ${collaborationId}.`,
        [{ field: 'companyId', rule: 'unique', message: 'is already a member' }],
      );
    }
    const [company] = await this.findCompanies([memberCompanyId], 'companyId');
    collaboration.members.add(new CollaborationMember(collaboration, company, CollaborationRole.MEMBER));
    await this.em.flush();
    return collaboration;
  }

  /** The owner removes a member, or a member leaves. The owner cannot leave its own collaboration. */
  async removeMember(
    companyId: string,
    collaborationId: string,
    memberCompanyId: string,
  ): Promise<Collaboration> {
    const collaboration = await this.get(companyId, collaborationId);
    const isOwner = collaboration.owner.id === companyId;
    if (!isOwner && memberCompanyId !== companyId) {
      throw ownerOnly(collaborationId, 'remove other members');
    }
    if (memberCompanyId === collaboration.owner.id) {
      throw new DomainException(
        ErrorCode.COLLABORATION_OWNER_CANNOT_LEAVE,
        `Company ${memberCompanyId} owns collaboration ${collaborationId} and cannot be removed from it.`,
      );
    }
    const member = collaboration.members
      .getItems()
      .find((candidate) => candidate.company.id === memberCompanyId);
    if (!member) {
      throw new DomainException(
        ErrorCode.COLLABORATION_MEMBER_NOT_FOUND,
        `Company ${memberCompanyId} is not a member of collaboration ${collaborationId}.`,
      );
    }
    collaboration.members.remove(member);
    this.em.remove(member);
    await this.em.flush();
    return collaboration;
  }

  private async getAsOwner(
    companyId: string,
    collaborationId: string,
    action: string,
  ): Promise<Collaboration> {
    const collaboration = await this.get(companyId, collaborationId);
    if (collaboration.owner.id !== companyId) {
      throw ownerOnly(collaborationId, action);
    }
    return collaboration;
  }

  private async findCompanies(ids: string[], field: string): Promise<Company[]> {
    if (ids.length === 0) {
      return [];
    }
    const companies = await this.em.find(Company, { id: { $in: ids } });
    const missing = ids.filter((id) => !companies.some((company) => company.id === id));
    if (missing.length > 0) {
      throw new DomainException(
        ErrorCode.COMPANY_NOT_FOUND,
        `No company has the id ${missing.join(', ')}; ask your partner for the id shown by GET /companies/me.`,
        missing.map((id) => ({
          field,
          rule: 'exists',
          message: `company ${id} does not exist`,
        })),
      );
    }
    return ids.map((id) => companies.find((company) => company.id === id) as Company);
  }
}

function notFound(collaborationId: string, field?: string): DomainException {
  return new DomainException(
    ErrorCode.COLLABORATION_NOT_FOUND,
    `Collaboration ${collaborationId} does not exist or your company is not a member.`,
    field
      ? [{ field, rule: 'member', message: 'must be a collaboration your company belongs to' }]
      : undefined,
  );
}

function ownerOnly(collaborationId: string, action: string): DomainException {
  return new DomainException(
    ErrorCode.COLLABORATION_OWNER_ONLY,
    `Only the owner of collaboration ${collaborationId} may ${action}.`,
  );
}
