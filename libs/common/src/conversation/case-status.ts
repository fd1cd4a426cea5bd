/** How each case event moves the channel's copy of a case (its status, and what the citizen is expected to answer). */
const DONE = { surveyPending: false, infoRequested: false };
export const CASE_STATUS: Record<string, { status?: string; surveyPending?: boolean; infoRequested?: boolean }> = {
  Received: { status: 'received' },
  QueuedForDesk: { status: 'queued_for_desk' },
  InfoRequested: { infoRequested: true },
  Assigned: { status: 'assigned' },
  Accepted: { status: 'accepted' },
  Returned: { status: 'returned' },
  ReplyPosted: { status: 'replied', surveyPending: true, infoRequested: false },
  FeedbackRecorded: { status: 'rated', surveyPending: false },
  Reopened: { status: 'reopened', surveyPending: false },
  Merged: { status: 'merged', ...DONE },
  Rejected: { status: 'rejected', ...DONE },
  Closed: { status: 'closed', ...DONE },
};
