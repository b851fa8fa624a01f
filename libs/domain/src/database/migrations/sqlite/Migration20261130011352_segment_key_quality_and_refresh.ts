import { Migration } from '@mikro-orm/migrations';

export class Migration20261130011352_segment_key_quality_and_refresh extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`segments\` add column \`key_quality\` json null;`);
    this.addSql(`alter table \`segments\` add column \`run_requested_at\` datetime null;`);
    this.addSql(`alter table \`segments\` add column \`ready_during_run\` integer not null default false;`);
  }

}
