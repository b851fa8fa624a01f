import { Migration } from '@mikro-orm/migrations';

export class Migration20261129193932_exports extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "exports" ("id" varchar(40) not null, "collaboration_id" varchar(40) not null, "segment_id" varchar(40) not null, "destination_id" varchar(40) not null, "company_id" varchar(40) not null, "created_by" varchar(40) null, "provider" varchar(32) not null, "dataset_id" varchar(120) not null, "total_rows" int not null, "config" jsonb not null, "overrides" jsonb not null, "mapping" jsonb not null, "status" varchar(16) not null, "dry_run" boolean not null, "repeat" varchar(16) not null, "repeat_stopped_at" timestamptz null, "repeat_of" varchar(40) null, "counts" jsonb not null, "checkpoint" jsonb null, "references" jsonb not null, "processing_state" varchar(16) null, "audience_size" bigint null, "error_code" varchar(64) null, "error_message" text null, "attempts" int not null, "heartbeat_at" timestamptz null, "cancel_requested_at" timestamptz null, "next_status_check_at" timestamptz null, "status_checks" int not null, "created_at" timestamptz not null, "started_at" timestamptz null, "sent_at" timestamptz null, "finished_at" timestamptz null, "updated_at" timestamptz not null, constraint "exports_pkey" primary key ("id"));`);
    this.addSql(`create index "exports_destination_id_index" on "exports" ("destination_id");`);
    this.addSql(`create index "exports_repeat_of_index" on "exports" ("repeat_of");`);
    this.addSql(`create index "exports_status_index" on "exports" ("status");`);
    this.addSql(`create index "exports_segment_index" on "exports" ("segment_id", "company_id");`);

    this.addSql(`create table "export_events" ("id" varchar(40) not null, "export_id" varchar(40) not null, "type" varchar(32) not null, "message" text not null, "data" jsonb not null, "at" timestamptz not null, constraint "export_events_pkey" primary key ("id"));`);
    this.addSql(`create index "export_events_export_id_index" on "export_events" ("export_id");`);

    this.addSql(`alter table "exports" add constraint "exports_collaboration_id_foreign" foreign key ("collaboration_id") references "collaborations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "exports" add constraint "exports_segment_id_foreign" foreign key ("segment_id") references "segments" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "exports" add constraint "exports_destination_id_foreign" foreign key ("destination_id") references "destinations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "exports" add constraint "exports_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "export_events" add constraint "export_events_export_id_foreign" foreign key ("export_id") references "exports" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "export_events" drop constraint "export_events_export_id_foreign";`);

    this.addSql(`drop table if exists "exports" cascade;`);

    this.addSql(`drop table if exists "export_events" cascade;`);
  }

}
