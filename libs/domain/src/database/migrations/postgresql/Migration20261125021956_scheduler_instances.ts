import { Migration } from '@mikro-orm/migrations';

export class Migration20261125021956_scheduler_instances extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "scheduler_instances" ("id" varchar(40) not null, "hostname" varchar(255) not null, "pid" int not null, "started_at" timestamptz not null, "last_beat_at" timestamptz not null, constraint "scheduler_instances_pkey" primary key ("id"));`);
    this.addSql(`create index "scheduler_instances_last_beat_at_index" on "scheduler_instances" ("last_beat_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "scheduler_instances" cascade;`);
  }

}
