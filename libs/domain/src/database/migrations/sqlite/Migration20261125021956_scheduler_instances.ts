import { Migration } from '@mikro-orm/migrations';

export class Migration20261125021956_scheduler_instances extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`scheduler_instances\` (\`id\` text not null, \`hostname\` text not null, \`pid\` integer not null, \`started_at\` datetime not null, \`last_beat_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create index \`scheduler_instances_last_beat_at_index\` on \`scheduler_instances\` (\`last_beat_at\`);`);
  }

}
