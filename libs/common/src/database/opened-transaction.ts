import type { DataSource, EntityManager } from 'typeorm';

/**
 * A transaction whose BEGIN travels with its first statement, saving a round trip on hot paths. The statement
 * goes over PostgreSQL's simple protocol (no parameters), so it must be built from trusted values only
 * (integers, constants). It runs with its own snapshot after BEGIN, as any statement of the transaction.
 */
export async function transactionOpenedWith<R>(
  dataSource: DataSource,
  firstStatement: string,
  work: (manager: EntityManager) => Promise<R>,
): Promise<R> {
  const runner = dataSource.createQueryRunner('master');
  try {
    let result: R;
    try {
      await runner.query(`BEGIN; ${firstStatement}`);
      result = await work(runner.manager);
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await runner.query('COMMIT');
    return result;
  } finally {
    await runner.release();
  }
}
