import { Migration } from '@mikro-orm/migrations';

export class Migration20261130011354_segment_key_quality_and_refresh extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "segments" add column "key_quality" jsonb null, add column "run_requested_at" timestamptz null, add column "ready_during_run" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "segments" drop column "key_quality", drop column "run_requested_at", drop column "ready_during_run";`);
  }

}
