import type { OutboxWriter } from '@app/common';
import { CodedError } from '@app/common/http/coded-error.js';
import type { MediaPipeline } from '@app/common/media/media.pipeline.js';
import type { DataSource, EntityManager } from 'typeorm';
import { readIngestAppConfig } from '../config.js';
import { FollowUpTokens } from '../inquiries/follow-up-token.js';
import type { CasesRepository, OwnCaseRow } from './cases.repository.js';
import { CasesService } from './cases.service.js';

type RepositoryInterface<T> = Pick<T, keyof T>;

const row = (overrides: Partial<OwnCaseRow>): OwnCaseRow => ({
  inquiry_id: 'I1',
  tracking_no: 'YL20261127-000001',
  account_id: 'alice',
  citizen_ref: 'alice',
  type_hint: null,
  title: null,
  content: '路灯不亮',
  anonymous: true,
  attachments: [],
  received_at: new Date('2026-11-27T01:00:00Z'),
  status: 'replied',
  unit_name: null,
  reply_text: null,
  replied_at: null,
  rating: null,
  reply_deadline: null,
  ...overrides,
});

describe(CasesService.name, () => {
  const cases = new Map<string, OwnCaseRow>();
  const appended: { type: string; payload: unknown }[] = [];
  const repository: RepositoryInterface<CasesRepository> = {
    listByAccount: async (accountId) => ({ rows: [...cases.values()].filter((c) => c.account_id === accountId), total: 0 }),
    find: async (id) => cases.get(id),
    timeline: async () => [],
  };
  const outbox = { append: async (_m: EntityManager, _c: unknown, type: string, payload: unknown) => appended.push({ type, payload }) } as unknown as OutboxWriter;
  const db = { transaction: (work: (m: EntityManager) => Promise<unknown>) => work({} as EntityManager) } as unknown as DataSource;
  const tokens = new FollowUpTokens(readIngestAppConfig({}));
  const media = { ingestAll: async () => ({ attachments: [], created: [] }), discard: async () => undefined } as unknown as MediaPipeline;
  const service = new CasesService(db, repository as CasesRepository, outbox, tokens, media);
  const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: CodedError) => e.code);

  beforeEach(() => {
    cases.clear();
    appended.length = 0;
  });

  it('answers 404 alike for a missing case and for somebody else\'s', async () => {
    cases.set('I1', row({}));
    expect(await code(service.detail('I1', { citizen: { accountId: 'bob' } }))).toBe('case.not_found');
    expect(await code(service.detail('missing', { citizen: { accountId: 'alice' } }))).toBe('case.not_found');
    expect(await code(service.detail('I1', { citizen: { accountId: 'alice' } }))).toBe('ok');
  });

  it('opens an anonymous case with its follow-up token only, and never an account\'s case by token', async () => {
    cases.set('A1', row({ inquiry_id: 'A1', account_id: null, citizen_ref: 'anon-A1' }));
    cases.set('I1', row({}));
    expect(await code(service.detail('A1', { followUpToken: tokens.issue('A1') }))).toBe('ok');
    expect(await code(service.detail('A1', { followUpToken: tokens.issue('A2') }))).toBe('case.not_found');
    expect(await code(service.detail('I1', { followUpToken: tokens.issue('I1') }))).toBe('case.not_found');
  });

  it('takes a rating only for a replied case, as the citizen who asked', async () => {
    cases.set('I1', row({ status: 'assigned' }));
    expect(await code(service.rate('I1', { citizen: { accountId: 'alice' } }, '满意'))).toBe('case.not_rateable');
    cases.set('I1', row({ status: 'replied' }));
    await service.rate('I1', { citizen: { accountId: 'alice' } }, '不满意', '没解决');
    expect(appended).toEqual([
      { type: 'RatingGiven', payload: expect.objectContaining({ inquiryId: 'I1', rating: '不满意', comment: '没解决', citizen: { channel: 'app', externalUserId: 'alice', account: 'alice' } }) },
    ]);
  });

  it('refuses more information once the case is closed', async () => {
    cases.set('I1', row({ status: 'closed' }));
    expect(await code(service.addInformation('I1', { citizen: { accountId: 'alice' } }, '补充'))).toBe('case.finished');
    expect(appended).toEqual([]);
  });
});
