/**
 * The protocol's value sets as plain arrays for the forms. The protocol's
 * runtime module would pull zod into the bundle (see errors.ts), so the lists
 * are repeated here; `vocabulary.test.ts` checks them against the schemas.
 */
import type { IncidentStatus, IncidentType, ResponseLevel, WarningView } from '@beacon/signaling/protocol';

export const INCIDENT_TYPES: readonly IncidentType[] = [
  'flood',
  'landslide',
  'forest_fire',
  'earthquake',
  'heavy_rain',
  'road_blocked',
  'other',
];
export const RESPONSE_LEVELS: readonly ResponseLevel[] = ['I', 'II', 'III', 'IV'];
export const INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'reported',
  'verified',
  'responding',
  'resolved',
  'closed',
];

/** Same as the protocol's INCIDENT_TRANSITIONS (the server refuses anything else with invalid_transition). */
export const NEXT_STATUSES: Record<IncidentStatus, readonly IncidentStatus[]> = {
  reported: ['verified', 'closed'],
  verified: ['responding', 'closed'],
  responding: ['resolved'],
  resolved: ['closed', 'responding'],
  closed: [],
};

export const WARNING_COLOURS: readonly WarningView['colour'][] = ['red', 'orange', 'yellow', 'blue'];
export const CAP_URGENCIES: readonly WarningView['urgency'][] = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'];
export const CAP_SEVERITIES: readonly WarningView['severity'][] = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];
export const CAP_CERTAINTIES: readonly WarningView['certainty'][] = [
  'Observed',
  'Likely',
  'Possible',
  'Unlikely',
  'Unknown',
];
