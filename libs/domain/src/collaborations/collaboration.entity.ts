import {
  Collection,
  Entity,
  Enum,
  ManyToOne,
  OneToMany,
  PrimaryKey,
  Property,
  Unique,
} from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';

export const COLLABORATION_NAME_MAX_LENGTH = 128;

export enum CollaborationRole {
  OWNER = 'OWNER',
  MEMBER = 'MEMBER',
}

/** A group of companies that work together: segments and destination shares live inside one. */
@Entity({ tableName: 'collaborations' })
export class Collaboration {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('clb');

  @Property({ type: 'string', length: COLLABORATION_NAME_MAX_LENGTH })
  name: string;

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  owner: Company;

  @OneToMany(() => CollaborationMember, (member) => member.collaboration, { orderBy: { id: 'asc' } })
  members = new Collection<CollaborationMember>(this);

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  constructor(name: string, owner: Company) {
    this.name = name;
    this.owner = owner;
  }
}

/** A company's membership of a collaboration; the owner is a member too, with role OWNER. */
@Entity({ tableName: 'collaboration_members' })
@Unique({ name: 'collaboration_members_company_unique', properties: ['collaboration', 'company'] })
export class CollaborationMember {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('clm');

  @ManyToOne(() => Collaboration, { deleteRule: 'cascade' })
  collaboration: Collaboration;

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  company: Company;

  @Enum({ items: () => CollaborationRole })
  role: CollaborationRole;

  @Property({ type: 'datetime' })
  addedAt: Date = new Date();

  constructor(collaboration: Collaboration, company: Company, role: CollaborationRole) {
    this.collaboration = collaboration;
    this.company = company;
    this.role = role;
  }
}
