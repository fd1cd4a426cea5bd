import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the desk decided about a case's publication: the public text after its own masking (NULL while only the
 * automatic mask applies) and each photo's review (`{ "<objectKey>": { "decision", "actor", "at" } }`).
 */
export class Publication1764600000000 implements MigrationInterface {
  name = 'Publication1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE cases
        ADD COLUMN public_title text,
        ADD COLUMN public_content text,
        ADD COLUMN photo_reviews jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases DROP COLUMN public_title, DROP COLUMN public_content, DROP COLUMN photo_reviews`);
  }
}
