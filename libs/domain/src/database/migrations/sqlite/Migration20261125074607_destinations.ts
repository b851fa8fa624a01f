import { Migration } from '@mikro-orm/migrations';

export class Migration20261125074607_destinations extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`destinations\` (\`id\` text not null, \`owner_id\` text not null, \`provider\` text not null, \`authorization_id\` text null, \`name\` text not null, \`config\` json not null, \`editable_fields\` json not null, \`visible_fields\` json not null, \`created_by\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, \`deleted_at\` datetime null, constraint \`destinations_owner_id_foreign\` foreign key(\`owner_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, constraint \`destinations_authorization_id_foreign\` foreign key(\`authorization_id\`) references \`authorizations\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`destinations_owner_id_index\` on \`destinations\` (\`owner_id\`);`);
    this.addSql(`create index \`destinations_authorization_id_index\` on \`destinations\` (\`authorization_id\`);`);
    this.addSql(`create index \`destinations_owner_index\` on \`destinations\` (\`owner_id\`, \`deleted_at\`);`);

    this.addSql(`create table \`destination_events\` (\`id\` text not null, \`destination_id\` text not null, \`type\` text not null, \`actor_company_id\` text null, \`actor_api_key_id\` text null, \`changes\` json not null, \`at\` datetime not null, constraint \`destination_events_destination_id_foreign\` foreign key(\`destination_id\`) references \`destinations\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`destination_events_destination_id_index\` on \`destination_events\` (\`destination_id\`);`);

    this.addSql(`create table \`destination_shares\` (\`id\` text not null, \`destination_id\` text not null, \`collaboration_id\` text not null, \`grantee_id\` text not null, \`created_by\` text null, \`created_at\` datetime not null, \`revoked_at\` datetime null, constraint \`destination_shares_destination_id_foreign\` foreign key(\`destination_id\`) references \`destinations\`(\`id\`) on delete cascade on update cascade, constraint \`destination_shares_collaboration_id_foreign\` foreign key(\`collaboration_id\`) references \`collaborations\`(\`id\`) on delete cascade on update cascade, constraint \`destination_shares_grantee_id_foreign\` foreign key(\`grantee_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`destination_shares_destination_id_index\` on \`destination_shares\` (\`destination_id\`);`);
    this.addSql(`create index \`destination_shares_collaboration_id_index\` on \`destination_shares\` (\`collaboration_id\`);`);
    this.addSql(`create index \`destination_shares_grantee_id_index\` on \`destination_shares\` (\`grantee_id\`);`);
    this.addSql(`create index \`destination_shares_grantee_index\` on \`destination_shares\` (\`grantee_id\`, \`revoked_at\`);`);
  }

}
