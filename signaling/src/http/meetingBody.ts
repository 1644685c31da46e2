/** The body of "会商" (POST …/meeting): departments chosen in the dialog, optional. */
import { emergencyMeetingSchema } from '@beacon/protocol';
import { parseOrBadRequest } from '../validation.ts';

/** The departments chosen by hand, or undefined when the caller left the choice to the server. */
export function meetingDepartments(body: unknown): string[] | undefined {
  return parseOrBadRequest(emergencyMeetingSchema, body ?? {}).departmentIds;
}
