import { Migration } from '@mikro-orm/migrations';

export class Migration20261125021340_initial_tenancy extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "companies" ("id" varchar(40) not null, "name" varchar(128) not null, "created_at" timestamptz not null, constraint "companies_pkey" primary key ("id"));`);

    this.addSql(`create table "collaborations" ("id" varchar(40) not null, "name" varchar(128) not null, "owner_id" varchar(40) not null, "created_at" timestamptz not null, constraint "collaborations_pkey" primary key ("id"));`);
    this.addSql(`create index "collaborations_owner_id_index" on "collaborations" ("owner_id");`);

    this.addSql(`create table "collaboration_members" ("id" varchar(40) not null, "collaboration_id" varchar(40) not null, "company_id" varchar(40) not null, "role" text check ("role" in ('OWNER', 'MEMBER')) not null, "added_at" timestamptz not null, constraint "collaboration_members_pkey" primary key ("id"));`);
    this.addSql(`create index "collaboration_members_company_id_index" on "collaboration_members" ("company_id");`);
    this.addSql(`alter table "collaboration_members" add constraint "collaboration_members_company_unique" unique ("collaboration_id", "company_id");`);

    this.addSql(`create table "api_keys" ("id" varchar(40) not null, "company_id" varchar(40) not null, "name" varchar(100) not null, "prefix" varchar(16) not null, "secret_hash" varchar(64) not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "api_keys_pkey" primary key ("id"));`);
    this.addSql(`create index "api_keys_company_id_index" on "api_keys" ("company_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_secret_hash_unique" unique ("secret_hash");`);

    this.addSql(`alter table "collaborations" add constraint "collaborations_owner_id_foreign" foreign key ("owner_id") references "companies" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "collaboration_members" add constraint "collaboration_members_collaboration_id_foreign" foreign key ("collaboration_id") references "collaborations" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "collaboration_members" add constraint "collaboration_members_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "api_keys" add constraint "api_keys_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "collaborations" drop constraint "collaborations_owner_id_foreign";`);

    this.addSql(`alter table "collaboration_members" drop constraint "collaboration_members_company_id_foreign";`);

    this.addSql(`alter table "api_keys" drop constraint "api_keys_company_id_foreign";`);

    this.addSql(`alter table "collaboration_members" drop constraint "collaboration_members_collaboration_id_foreign";`);

    this.addSql(`drop table if exists "companies" cascade;`);

    this.addSql(`drop table if exists "collaborations" cascade;`);

    this.addSql(`drop table if exists "collaboration_members" cascade;`);

    this.addSql(`drop table if exists "api_keys" cascade;`);
  }

}
