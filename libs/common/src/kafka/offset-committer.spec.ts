import type { Consumer } from 'kafkajs';
import { OffsetCommitter } from './offset-committer.js';

function fakeConsumer(failures: number) {
  const commits: { partition: number; offset: string }[][] = [];
  let left = failures;
  const consumer = {
    commitOffsets: async (offsets: { partition: number; offset: string }[]) => {
      if (left-- > 0) throw new Error('The coordinator is not aware of this member');
      commits.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
    },
  } as unknown as Consumer;
  return { consumer, commits };
}

describe(OffsetCommitter.name, () => {
  it('commits every partition handled within the interval in one request, the next offset of each', async () => {
    const { consumer, commits } = fakeConsumer(0);
    const committer = new OffsetCommitter(consumer, 't', 60_000, () => undefined);
    await committer.handled(0, '4');
    await committer.handled(1, '9');
    await committer.handled(0, '5');
    expect(commits).toEqual([]);
    await committer.close();
    expect(commits).toEqual([[{ partition: 0, offset: '6' }, { partition: 1, offset: '10' }]]);
  });

  it('never throws from handled: a failed commit is reported and its offsets go with the next one', async () => {
    const { consumer, commits } = fakeConsumer(1);
    const reported: unknown[] = [];
    const committer = new OffsetCommitter(consumer, 't', 0, (error) => reported.push(error));
    await expect(committer.handled(2, '7')).resolves.toBeUndefined();
    expect(reported).toHaveLength(1);
    await committer.handled(3, '1');
    expect(commits).toEqual([[{ partition: 2, offset: '8' }, { partition: 3, offset: '2' }]]);
  });

  it('keeps only the partitions the member still holds after a rebalance', async () => {
    const { consumer, commits } = fakeConsumer(0);
    const committer = new OffsetCommitter(consumer, 't', 60_000, () => undefined);
    await committer.handled(0, '1');
    await committer.handled(1, '1');
    committer.keepOnly([1]);
    await committer.close();
    expect(commits).toEqual([[{ partition: 1, offset: '2' }]]);
  });
});
