import { Migration } from '@mikro-orm/migrations';

export class Migration20261130080218_destinations_owner_index_ordered extends Migration {

  override async up(): Promise<void> {
    this.addSql(`drop index \`destinations_owner_index\`;`);

    this.addSql(`create index \`destinations_owner_index\` on \`destinations\` (\`owner_id\`, \`deleted_at\`, \`id\`);`);
  }

}
