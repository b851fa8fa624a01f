import { Migration } from '@mikro-orm/migrations';

export class Migration20261125021340_initial_tenancy extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`companies\` (\`id\` text not null, \`name\` text not null, \`created_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`collaborations\` (\`id\` text not null, \`name\` text not null, \`owner_id\` text not null, \`created_at\` datetime not null, constraint \`collaborations_owner_id_foreign\` foreign key(\`owner_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`collaborations_owner_id_index\` on \`collaborations\` (\`owner_id\`);`);

    this.addSql(`create table \`collaboration_members\` (\`id\` text not null, \`collaboration_id\` text not null, \`company_id\` text not null, \`role\` text check (\`role\` in ('OWNER', 'MEMBER')) not null, \`added_at\` datetime not null, constraint \`collaboration_members_collaboration_id_foreign\` foreign key(\`collaboration_id\`) references \`collaborations\`(\`id\`) on delete cascade on update cascade, constraint \`collaboration_members_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`collaboration_members_collaboration_id_index\` on \`collaboration_members\` (\`collaboration_id\`);`);
    this.addSql(`create index \`collaboration_members_company_id_index\` on \`collaboration_members\` (\`company_id\`);`);
    this.addSql(`create unique index \`collaboration_members_company_unique\` on \`collaboration_members\` (\`collaboration_id\`, \`company_id\`);`);

    this.addSql(`create table \`api_keys\` (\`id\` text not null, \`company_id\` text not null, \`name\` text not null, \`prefix\` text not null, \`secret_hash\` text not null, \`created_at\` datetime not null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, constraint \`api_keys_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`api_keys_company_id_index\` on \`api_keys\` (\`company_id\`);`);
    this.addSql(`create unique index \`api_keys_secret_hash_unique\` on \`api_keys\` (\`secret_hash\`);`);
  }

}
