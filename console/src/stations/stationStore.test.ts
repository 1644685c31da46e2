import type { StationStateView, WarningView } from '@beacon/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyStationState, applyWarning, stations } from './stationStore.ts';

const state = (over: Partial<StationStateView> = {}): StationStateView => ({
  stationId: 'RG-1',
  name: '紫溪雨量站',
  kind: 'rain',
  lat: 25,
  lon: 101.4,
  townshipId: 'zixi',
  level: null,
  offline: false,
  lastAt: null,
  lastValue: null,
  accumulated: {},
  warningId: null,
  ...over,
});
const draft = (over: Partial<WarningView> = {}) =>
  ({ id: 'w1', status: 'draft', createdBy: 'system', colour: 'yellow', headline: 'h', ...over }) as WarningView;

describe('the station alarms of the duty desk', () => {
  beforeEach(() => {
    stations.states = {};
    stations.alarms = [];
  });

  it('alarms once when a station goes offline, not again while it stays so', () => {
    applyStationState(state());
    expect(stations.alarms).toEqual([]);
    applyStationState(state({ offline: true }));
    applyStationState(state({ offline: true }));
    expect(stations.alarms.map((a) => [a.kind, a.stationName])).toEqual([['offline', '紫溪雨量站']]);
  });

  it('alarms for the system’s drafts (one line, at the raised colour), never for an officer’s or an issued one', () => {
    applyWarning(draft());
    applyWarning(draft());
    applyWarning(draft({ colour: 'orange' }));
    applyWarning(draft({ id: 'w2', createdBy: 'u-duty' }));
    applyWarning(draft({ id: 'w3', status: 'issued' }));
    expect(stations.alarms.map((a) => [a.warningId, a.level])).toEqual([['w1', 'orange']]);
  });
});
