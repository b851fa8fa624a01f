import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';

export const COMPANY_NAME_MAX_LENGTH = 128;

/** A tenant: every resource belongs to exactly one company, and every query is scoped by it. */
@Entity({ tableName: 'companies' })
export class Company {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('cmp');

  @Property({ type: 'string', length: COMPANY_NAME_MAX_LENGTH })
  name: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  constructor(name: string) {
    this.name = name;
  }
}
