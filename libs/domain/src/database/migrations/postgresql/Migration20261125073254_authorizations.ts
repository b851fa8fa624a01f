import { Migration } from '@mikro-orm/migrations';

export class Migration20261125073254_authorizations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "authorizations" ("id" varchar(40) not null, "company_id" varchar(40) not null, "provider" varchar(32) not null, "name" varchar(100) not null, "status" varchar(16) not null default 'PENDING', "encrypted_credentials" text null, "accounts" jsonb not null, "created_by" varchar(40) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, "authenticated_at" timestamptz null, "last_checked_at" timestamptz null, "last_error_code" varchar(64) null, "last_error_message" text null, "last_error_at" timestamptz null, "state_nonce_hash" varchar(64) null, constraint "authorizations_pkey" primary key ("id"));`);
    this.addSql(`create index "authorizations_company_id_index" on "authorizations" ("company_id");`);
    this.addSql(`create index "authorizations_health_index" on "authorizations" ("status", "last_checked_at");`);
    this.addSql(`alter table "authorizations" add constraint "authorizations_company_name_unique" unique ("company_id", "name");`);

    this.addSql(`alter table "authorizations" add constraint "authorizations_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "authorizations" cascade;`);
  }

}
