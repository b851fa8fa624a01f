import { Migration } from '@mikro-orm/migrations';

export class Migration20261125080427_segments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "data_sources" ("id" varchar(40) not null, "company_id" varchar(40) not null, "name" varchar(100) not null, "kind" varchar(16) not null, "encrypted_location" text not null, "display_location" varchar(200) not null, "created_by" varchar(40) null, "created_at" timestamptz not null, constraint "data_sources_pkey" primary key ("id"));`);
    this.addSql(`create index "data_sources_company_id_index" on "data_sources" ("company_id");`);

    this.addSql(`create table "segments" ("id" varchar(40) not null, "collaboration_id" varchar(40) not null, "company_id" varchar(40) not null, "name" varchar(100) not null, "source_type" varchar(16) not null, "data_source_id" varchar(40) null, "query" text null, "key_columns" jsonb not null, "other_columns" jsonb null, "flatten" boolean not null, "multi_value_delimiter" varchar(8) null, "status" varchar(16) not null, "ready_at" timestamptz null, "expires_at" timestamptz null, "row_count" int null, "key_counts" jsonb null, "error_message" text null, "dataset_id" varchar(80) null, "generation" int not null, "staged_upload" varchar(200) null, "run_heartbeat_at" timestamptz null, "attempts" int not null, "data_deleted_at" timestamptz null, "refresh_schedule" varchar(100) null, "next_refresh_at" timestamptz null, "created_by" varchar(40) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "segments_pkey" primary key ("id"));`);
    this.addSql(`create index "segments_collaboration_id_index" on "segments" ("collaboration_id");`);
    this.addSql(`create index "segments_company_id_index" on "segments" ("company_id");`);
    this.addSql(`create index "segments_data_source_id_index" on "segments" ("data_source_id");`);
    this.addSql(`create index "segments_refresh_index" on "segments" ("next_refresh_at");`);
    this.addSql(`create index "segments_status_expires_index" on "segments" ("status", "expires_at");`);

    this.addSql(`alter table "data_sources" add constraint "data_sources_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "segments" add constraint "segments_collaboration_id_foreign" foreign key ("collaboration_id") references "collaborations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "segments" add constraint "segments_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "segments" add constraint "segments_data_source_id_foreign" foreign key ("data_source_id") references "data_sources" ("id") on update cascade on delete set null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "segments" drop constraint "segments_data_source_id_foreign";`);

    this.addSql(`drop table if exists "data_sources" cascade;`);

    this.addSql(`drop table if exists "segments" cascade;`);
  }

}
