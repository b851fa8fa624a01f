import { Migration } from '@mikro-orm/migrations';

export class Migration20261125074608_destinations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "destinations" ("id" varchar(40) not null, "owner_id" varchar(40) not null, "provider" varchar(32) not null, "authorization_id" varchar(40) null, "name" varchar(100) not null, "config" jsonb not null, "editable_fields" jsonb not null, "visible_fields" jsonb not null, "created_by" varchar(40) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "deleted_at" timestamptz null, constraint "destinations_pkey" primary key ("id"));`);
    this.addSql(`create index "destinations_authorization_id_index" on "destinations" ("authorization_id");`);
    this.addSql(`create index "destinations_owner_index" on "destinations" ("owner_id", "deleted_at");`);

    this.addSql(`create table "destination_events" ("id" varchar(40) not null, "destination_id" varchar(40) not null, "type" varchar(32) not null, "actor_company_id" varchar(40) null, "actor_api_key_id" varchar(40) null, "changes" jsonb not null, "at" timestamptz not null, constraint "destination_events_pkey" primary key ("id"));`);
    this.addSql(`create index "destination_events_destination_id_index" on "destination_events" ("destination_id");`);

    this.addSql(`create table "destination_shares" ("id" varchar(40) not null, "destination_id" varchar(40) not null, "collaboration_id" varchar(40) not null, "grantee_id" varchar(40) not null, "created_by" varchar(40) null, "created_at" timestamptz not null, "revoked_at" timestamptz null, constraint "destination_shares_pkey" primary key ("id"));`);
    this.addSql(`create index "destination_shares_destination_id_index" on "destination_shares" ("destination_id");`);
    this.addSql(`create index "destination_shares_collaboration_id_index" on "destination_shares" ("collaboration_id");`);
    this.addSql(`create index "destination_shares_grantee_index" on "destination_shares" ("grantee_id", "revoked_at");`);

    this.addSql(`alter table "destinations" add constraint "destinations_owner_id_foreign" foreign key ("owner_id") references "companies" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "destinations" add constraint "destinations_authorization_id_foreign" foreign key ("authorization_id") references "authorizations" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "destination_events" add constraint "destination_events_destination_id_foreign" foreign key ("destination_id") references "destinations" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "destination_shares" add constraint "destination_shares_destination_id_foreign" foreign key ("destination_id") references "destinations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "destination_shares" add constraint "destination_shares_collaboration_id_foreign" foreign key ("collaboration_id") references "collaborations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "destination_shares" add constraint "destination_shares_grantee_id_foreign" foreign key ("grantee_id") references "companies" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "destination_events" drop constraint "destination_events_destination_id_foreign";`);

    this.addSql(`alter table "destination_shares" drop constraint "destination_shares_destination_id_foreign";`);

    this.addSql(`drop table if exists "destinations" cascade;`);

    this.addSql(`drop table if exists "destination_events" cascade;`);

    this.addSql(`drop table if exists "destination_shares" cascade;`);
  }

}
