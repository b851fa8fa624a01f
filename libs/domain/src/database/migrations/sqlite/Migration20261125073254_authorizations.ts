import { Migration } from '@mikro-orm/migrations';

export class Migration20261125073254_authorizations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`authorizations\` (\`id\` text not null, \`company_id\` text not null, \`provider\` text not null, \`name\` text not null, \`status\` text not null default 'PENDING', \`encrypted_credentials\` text null, \`accounts\` json not null, \`created_by\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`authenticated_at\` datetime null, \`last_checked_at\` datetime null, \`last_error_code\` text null, \`last_error_message\` text null, \`last_error_at\` datetime null, \`state_nonce_hash\` text null, constraint \`authorizations_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`authorizations_company_id_index\` on \`authorizations\` (\`company_id\`);`);
    this.addSql(`create index \`authorizations_health_index\` on \`authorizations\` (\`status\`, \`last_checked_at\`);`);
    this.addSql(`create unique index \`authorizations_company_name_unique\` on \`authorizations\` (\`company_id\`, \`name\`);`);
  }

}
