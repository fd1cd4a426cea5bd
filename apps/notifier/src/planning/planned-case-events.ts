import type { EventOf, TOPICS } from '@app/common';

type CaseEventType = EventOf<typeof TOPICS.caseEvents>['type'];

/**
 * The case events the notifier plans from (`NotificationService.planCaseEvent`); its consumer passes the others over
 * undecoded and records nothing for them. Its own module, so the fault harness can count what the notifier should
 * have handled.
 */
export const PLANNED_CASE_EVENTS = [
  'Received',
  'Assigned',
  'SlaWarning',
  'SlaBreached',
  'ReplyPosted',
  'Rejected',
  'UnitContactsChanged',
  'FeedbackRecorded',
  'Closed',
  'Merged',
] as const satisfies readonly CaseEventType[];
