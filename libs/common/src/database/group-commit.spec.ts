import { GroupCommit } from './group-commit.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A commit function that records its batches; each batch waits until `release` is called (or `ms` passes). */
function recorder(ms = 20, fail: (items: string[]) => boolean = () => false) {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const commit = async (items: string[]): Promise<string[]> => {
    batches.push(items);
    await new Promise<void>((resolve) => {
      gates.push(resolve);
      if (ms > 0) setTimeout(resolve, ms);
    });
    if (fail(items)) throw new Error(`failed: ${items.join(',')}`);
    return items.map((i) => `ok ${i}`);
  };
  const release = (): void => gates.splice(0).forEach((open) => open());
  return { batches, commit, release };
}

describe(GroupCommit.name, () => {
  it('starts an idle lane at once and groups what arrives while its transaction runs', async () => {
    const { batches, commit, release } = recorder(0);
    const group = new GroupCommit(commit, { lanes: 1, maxBatch: 10, keyOf: (i: string) => i });
    const first = group.submit('a');
    await tick(1);
    expect(batches).toEqual([['a']]);
    const rest = ['b', 'c', 'd'].map((i) => group.submit(i));
    release();
    await first;
    await tick(1);
    release();
    expect(await Promise.all([first, ...rest])).toEqual(['ok a', 'ok b', 'ok c', 'ok d']);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('answers nobody before the batch holding its item committed', async () => {
    const { commit, release } = recorder(0);
    const group = new GroupCommit(commit, { lanes: 1, maxBatch: 10, keyOf: (i: string) => i });
    let answered = false;
    const done = group.submit('a').then(() => (answered = true));
    await tick(20);
    expect(answered).toBe(false);
    release();
    await done;
    expect(answered).toBe(true);
  });

  it('keeps the items of one key in one lane, in the order they were submitted', async () => {
    const { batches, commit } = recorder(5);
    const group = new GroupCommit(commit, { lanes: 4, maxBatch: 2, keyOf: (i: string) => i.split('#')[0] });
    await Promise.all(['u1#1', 'u2#1', 'u1#2', 'u1#3', 'u2#2', 'u1#4'].map((i) => group.submit(i)));
    const order = (key: string) => batches.flat().filter((i) => i.startsWith(`${key}#`));
    expect(order('u1')).toEqual(['u1#1', 'u1#2', 'u1#3', 'u1#4']);
    expect(order('u2')).toEqual(['u2#1', 'u2#2']);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2);
  });

  it('when a batch fails, tries each item alone so only the bad one fails', async () => {
    const { batches, commit, release } = recorder(5, (items) => items.includes('bad'));
    const group = new GroupCommit(commit, { lanes: 1, maxBatch: 10, keyOf: () => 'one' });
    const all = ['a', 'b', 'bad', 'c'].map((i) => group.submit(i));
    release(); // 'a' alone; the others arrived meanwhile and go together
    const results = await Promise.allSettled(all);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected'))).toEqual(['ok a', 'ok b', 'rejected', 'ok c']);
    expect(batches).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('fails every item of a batch at once when the database is unavailable, without trying them alone', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const batches: string[][] = [];
    const group = new GroupCommit<string, string>(
      async (items) => {
        batches.push(items);
        if (items.includes('a')) await tick(5);
        else throw unreachable;
        return items;
      },
      { maxBatch: 10 },
    );
    const all = ['a', 'b', 'c', 'd'].map((i) => group.submit(i));
    const results = await Promise.allSettled(all);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(results.slice(1).every((r) => r.status === 'rejected' && r.reason === unreachable)).toBe(true);
    expect(batches).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('takes one lane and ignores keys unless told otherwise', async () => {
    const { batches, commit, release } = recorder(0);
    const group = new GroupCommit(commit, { maxBatch: 10 });
    const first = group.submit('a');
    const rest = ['b', 'c'].map((i) => group.submit(i));
    release();
    await first;
    await tick(1);
    release();
    await Promise.all(rest);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });
});
