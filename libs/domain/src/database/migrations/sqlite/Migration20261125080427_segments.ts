import { Migration } from '@mikro-orm/migrations';

export class Migration20261125080427_segments extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`data_sources\` (\`id\` text not null, \`company_id\` text not null, \`name\` text not null, \`kind\` text not null, \`encrypted_location\` text not null, \`display_location\` text not null, \`created_by\` text null, \`created_at\` datetime not null, constraint \`data_sources_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`data_sources_company_id_index\` on \`data_sources\` (\`company_id\`);`);

    this.addSql(`create table \`segments\` (\`id\` text not null, \`collaboration_id\` text not null, \`company_id\` text not null, \`name\` text not null, \`source_type\` text not null, \`data_source_id\` text null, \`query\` text null, \`key_columns\` json not null, \`other_columns\` json null, \`flatten\` integer not null, \`multi_value_delimiter\` text null, \`status\` text not null, \`ready_at\` datetime null, \`expires_at\` datetime null, \`row_count\` integer null, \`key_counts\` json null, \`error_message\` text null, \`dataset_id\` text null, \`generation\` integer not null, \`staged_upload\` text null, \`run_heartbeat_at\` datetime null, \`attempts\` integer not null, \`data_deleted_at\` datetime null, \`refresh_schedule\` text null, \`next_refresh_at\` datetime null, \`created_by\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`segments_collaboration_id_foreign\` foreign key(\`collaboration_id\`) references \`collaborations\`(\`id\`) on delete cascade on update cascade, constraint \`segments_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, constraint \`segments_data_source_id_foreign\` foreign key(\`data_source_id\`) references \`data_sources\`(\`id\`) on delete set null on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`segments_collaboration_id_index\` on \`segments\` (\`collaboration_id\`);`);
    this.addSql(`create index \`segments_company_id_index\` on \`segments\` (\`company_id\`);`);
    this.addSql(`create index \`segments_data_source_id_index\` on \`segments\` (\`data_source_id\`);`);
    this.addSql(`create index \`segments_refresh_index\` on \`segments\` (\`next_refresh_at\`);`);
    this.addSql(`create index \`segments_status_expires_index\` on \`segments\` (\`status\`, \`expires_at\`);`);
  }

}
