import {
  capCertaintySchema,
  capSeveritySchema,
  capUrgencySchema,
  INCIDENT_TRANSITIONS,
  incidentStatusSchema,
  incidentTypeSchema,
  responseLevelSchema,
  warningColourSchema,
} from '@beacon/signaling/protocol';
import { describe, expect, it } from 'vitest';
import {
  CAP_CERTAINTIES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  INCIDENT_STATUSES,
  INCIDENT_TYPES,
  NEXT_STATUSES,
  RESPONSE_LEVELS,
  WARNING_COLOURS,
} from './vocabulary.ts';

describe('the console vocabulary matches the protocol', () => {
  it('has the same value sets', () => {
    expect(INCIDENT_TYPES).toEqual(incidentTypeSchema.options);
    expect(RESPONSE_LEVELS).toEqual(responseLevelSchema.options);
    expect(INCIDENT_STATUSES).toEqual(incidentStatusSchema.options);
    expect(WARNING_COLOURS).toEqual(warningColourSchema.options);
    expect(CAP_URGENCIES).toEqual(capUrgencySchema.options);
    expect(CAP_SEVERITIES).toEqual(capSeveritySchema.options);
    expect(CAP_CERTAINTIES).toEqual(capCertaintySchema.options);
  });

  it('offers exactly the legal next statuses', () => {
    expect(NEXT_STATUSES).toEqual(INCIDENT_TRANSITIONS);
  });
});
