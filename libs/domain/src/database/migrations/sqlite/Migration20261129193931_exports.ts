import { Migration } from '@mikro-orm/migrations';

export class Migration20261129193931_exports extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`exports\` (\`id\` text not null, \`collaboration_id\` text not null, \`segment_id\` text not null, \`destination_id\` text not null, \`company_id\` text not null, \`created_by\` text null, \`provider\` text not null, \`dataset_id\` text not null, \`total_rows\` integer not null, \`config\` json not null, \`overrides\` json not null, \`mapping\` json not null, \`status\` text not null, \`dry_run\` integer not null, \`repeat\` text not null, \`repeat_stopped_at\` datetime null, \`repeat_of\` text null, \`counts\` json not null, \`checkpoint\` json null, \`references\` json not null, \`processing_state\` text null, \`audience_size\` bigint null, \`error_code\` text null, \`error_message\` text null, \`attempts\` integer not null, \`heartbeat_at\` datetime null, \`cancel_requested_at\` datetime null, \`next_status_check_at\` datetime null, \`status_checks\` integer not null, \`created_at\` datetime not null, \`started_at\` datetime null, \`sent_at\` datetime null, \`finished_at\` datetime null, \`updated_at\` datetime not null, constraint \`exports_collaboration_id_foreign\` foreign key(\`collaboration_id\`) references \`collaborations\`(\`id\`) on delete cascade on update cascade, constraint \`exports_segment_id_foreign\` foreign key(\`segment_id\`) references \`segments\`(\`id\`) on delete cascade on update cascade, constraint \`exports_destination_id_foreign\` foreign key(\`destination_id\`) references \`destinations\`(\`id\`) on delete cascade on update cascade, constraint \`exports_company_id_foreign\` foreign key(\`company_id\`) references \`companies\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`exports_collaboration_id_index\` on \`exports\` (\`collaboration_id\`);`);
    this.addSql(`create index \`exports_segment_id_index\` on \`exports\` (\`segment_id\`);`);
    this.addSql(`create index \`exports_destination_id_index\` on \`exports\` (\`destination_id\`);`);
    this.addSql(`create index \`exports_company_id_index\` on \`exports\` (\`company_id\`);`);
    this.addSql(`create index \`exports_repeat_of_index\` on \`exports\` (\`repeat_of\`);`);
    this.addSql(`create index \`exports_status_index\` on \`exports\` (\`status\`);`);
    this.addSql(`create index \`exports_segment_index\` on \`exports\` (\`segment_id\`, \`company_id\`);`);

    this.addSql(`create table \`export_events\` (\`id\` text not null, \`export_id\` text not null, \`type\` text not null, \`message\` text not null, \`data\` json not null, \`at\` datetime not null, constraint \`export_events_export_id_foreign\` foreign key(\`export_id\`) references \`exports\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`export_events_export_id_index\` on \`export_events\` (\`export_id\`);`);
  }

}
