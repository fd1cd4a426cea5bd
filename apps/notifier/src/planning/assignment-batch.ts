import type { EventOf, PayloadOf, TOPICS } from '@app/common';
import type { Assignment, CaseContact, UnitUpdate } from '../contacts/contacts.repository.js';

type CaseEvent = EventOf<typeof TOPICS.caseEvents>;
type Received = Extract<CaseEvent, { type: 'Received' }>;
type Assigned = Extract<CaseEvent, { type: 'Assigned' }>;
export type AssignedPayload = PayloadOf<typeof TOPICS.caseEvents, 'Assigned'>;

/** The case a `Received` event describes. */
export function caseOfReceived(p: Received['payload']): CaseContact {
  return {
    inquiryId: p.inquiryId,
    trackingNo: p.trackingNo,
    title: p.title,
    content: p.content,
    receivedAt: p.receivedAt,
    attachments: p.attachments ?? [],
    citizen: p.citizen,
    weiboThread: p.weiboThread,
  };
}

export function assignmentOf(p: AssignedPayload): Assignment {
  return { inquiryId: p.inquiryId, unitId: p.unitId, unitName: p.unitName, replyDeadline: p.replyDeadline };
}

/** The co-handling units an `Assigned` event names (`coUnitIds` and `coUnits`), without the lead unit. */
export function coUnitIdsOf(p: AssignedPayload): string[] {
  return [...new Set([...p.coUnitIds, ...(p.coUnits ?? []).map((co) => co.unitId)])].filter((id) => id !== p.unitId);
}

/** The contacts an `Assigned` event carries (lead unit first), and every unit it names. */
export function unitsOf(p: AssignedPayload): { updates: UnitUpdate[]; ids: string[] } {
  const updates: UnitUpdate[] = p.unitContacts ? [{ unitId: p.unitId, unitName: p.unitName, contacts: p.unitContacts }] : [];
  for (const co of p.coUnits ?? []) if (co.unitContacts) updates.push({ unitId: co.unitId, unitName: co.unitName, contacts: co.unitContacts });
  return { updates, ids: [p.unitId, ...coUnitIdsOf(p)] };
}

/** A consumer batch the notifier plans in three statements instead of two or three per event. */
export interface AssignmentBatch {
  received: Received[];
  assigned: Assigned[];
  /** The unit contacts the assignments carry, and every unit they name (`unitsOf` of each, in order). */
  unitUpdates: UnitUpdate[];
  unitIds: string[];
}

/**
 * The batch as `Received` and `Assigned` events whose effects do not depend on each other's order beyond "a case's
 * `Received` before its `Assigned`", or undefined when it must be planned event by event:
 * - only `Received` and `Assigned`, at least two of them;
 * - each case received at most once and assigned at most once, its `Received` first;
 * - each unit named either always with the same contacts or always without (event by event, a unit named without
 *   contacts before an event that changes them would be planned with the old ones).
 * Then saving every case, then every unit and assignment, then planning each assignment in order gives the same
 * rows and deliveries as the events one by one.
 */
export function assignmentBatch(events: CaseEvent[]): AssignmentBatch | undefined {
  if (events.length < 2) return undefined;
  const received: Received[] = [];
  const assigned: Assigned[] = [];
  const receivedIds = new Set<string>();
  const assignedIds = new Set<string>();
  const unitContacts = new Map<string, string>();
  const unitUpdates: UnitUpdate[] = [];
  const unitIds: string[] = [];
  for (const event of events) {
    const id = event.payload.inquiryId;
    if (event.type === 'Received') {
      if (receivedIds.has(id) || assignedIds.has(id)) return undefined;
      receivedIds.add(id);
      received.push(event);
    } else if (event.type === 'Assigned') {
      if (assignedIds.has(id)) return undefined;
      assignedIds.add(id);
      assigned.push(event);
      const { updates, ids } = unitsOf(event.payload);
      unitUpdates.push(...updates);
      unitIds.push(...ids);
      const given = new Map(updates.map((u) => [u.unitId, JSON.stringify([u.unitName, u.contacts.emails, u.contacts.webhook ?? null, u.contacts.prefer])]));
      for (const unitId of new Set([...ids, ...given.keys()])) {
        const contacts = given.get(unitId) ?? 'none';
        if ((unitContacts.get(unitId) ?? contacts) !== contacts) return undefined;
        unitContacts.set(unitId, contacts);
      }
    } else return undefined;
  }
  return { received, assigned, unitUpdates, unitIds };
}
