import { Migration } from '@mikro-orm/migrations';

export class Migration20261125112359_idempotency_records extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`idempotency_records\` (\`id\` text not null, \`company_id\` text not null, \`key\` text not null, \`fingerprint\` text not null, \`operation\` text not null, \`response_status\` integer null, \`response_body\` text null, \`started_at\` datetime not null, \`expires_at\` datetime not null, constraint \`idempotency_records_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`idempotency_records_company_id_index\` on \`idempotency_records\` (\`company_id\`);`);
    this.addSql(`create index \`idempotency_records_expires_at_index\` on \`idempotency_records\` (\`expires_at\`);`);
    this.addSql(`create unique index \`idempotency_records_company_key_unique\` on \`idempotency_records\` (\`company_id\`, \`key\`);`);
  }

}
