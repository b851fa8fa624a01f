import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';

/** A running scheduler process and its last heartbeat, so operators can see which workers are alive. */
@Entity({ tableName: 'scheduler_instances' })
export class SchedulerInstance {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('sch');

  @Property({ type: 'string', length: 255 })
  hostname: string;

  @Property({ type: 'integer' })
  pid: number;

  @Property({ type: 'datetime' })
  startedAt: Date = new Date();

  @Property({ type: 'datetime', index: true })
  lastBeatAt: Date = new Date();

  constructor(hostname: string, pid: number) {
    this.hostname = hostname;
    this.pid = pid;
  }
}
