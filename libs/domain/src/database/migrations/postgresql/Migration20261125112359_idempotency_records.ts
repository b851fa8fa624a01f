import { Migration } from '@mikro-orm/migrations';

export class Migration20261125112359_idempotency_records extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_records" ("id" varchar(40) not null, "company_id" varchar(40) not null, "key" varchar(255) not null, "fingerprint" varchar(64) not null, "operation" varchar(300) not null, "response_status" int null, "response_body" text null, "started_at" timestamptz not null, "expires_at" timestamptz not null, constraint "idempotency_records_pkey" primary key ("id"));`);
    this.addSql(`create index "idempotency_records_expires_at_index" on "idempotency_records" ("expires_at");`);
    this.addSql(`alter table "idempotency_records" add constraint "idempotency_records_company_key_unique" unique ("company_id", "key");`);

    this.addSql(`alter table "idempotency_records" add constraint "idempotency_records_company_id_foreign" foreign key ("company_id") references "companies" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_records" cascade;`);
  }

}
