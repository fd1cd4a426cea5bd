import { RouterError } from '../common/router-error.js';

/** The steps of a case after assignment (DESIGN: case lifecycle). */
export type LifecycleStep =
  | 'accept'
  | 'reply'
  | 'part_reply'
  | 'return'
  | 'request_extension'
  | 'decide_extension'
  | 'decide_return'
  | 'rate'
  | 'decide_reopen'
  | 'review_flag'
  | 'auto_close'
  | 'withdraw'
  | 'note';

const OPEN_WITH_UNIT = ['assigned', 'accepted', 'extension_requested', 'reopened'];

/** From which statuses each step is legal. Anything else is refused with `illegal_transition` (409). */
export const LEGAL_FROM: Record<LifecycleStep, readonly string[]> = {
  accept: ['assigned'],
  reply: ['assigned', 'accepted', 'extension_requested', 'reopened'],
  part_reply: OPEN_WITH_UNIT,
  return: ['assigned', 'accepted'],
  request_extension: ['assigned', 'accepted', 'reopened'],
  decide_extension: ['extension_requested'],
  decide_return: ['returned'],
  rate: ['replied'],
  decide_reopen: ['rated'],
  review_flag: ['replied', 'rated', 'closed'],
  auto_close: ['replied'],
  withdraw: ['received', 'classified', 'queued_for_desk', 'awaiting_info', 'returned', 'rated', 'replied', ...OPEN_WITH_UNIT],
  note: [...OPEN_WITH_UNIT, 'returned', 'replied', 'rated'],
};

const STEP_NAMES: Record<LifecycleStep, string> = {
  accept: '签收',
  reply: '答复',
  part_reply: '协办答复',
  return: '退回',
  request_extension: '申请延期',
  decide_extension: '审批延期',
  decide_return: '处理退回',
  rate: '评价',
  decide_reopen: '决定是否重办',
  review_flag: '复核敷衍答复',
  auto_close: '自动办结',
  withdraw: '撤回',
  note: '添加备注',
};

export function canStep(status: string, step: LifecycleStep): boolean {
  return LEGAL_FROM[step].includes(status);
}

export function assertStep(status: string, step: LifecycleStep): void {
  if (!canStep(status, step)) {
    throw new RouterError('illegal_transition', `案件当前状态（${status}）不能${STEP_NAMES[step]}`);
  }
}
