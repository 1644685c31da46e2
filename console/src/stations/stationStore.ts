/**
 * The command room's picture of the monitoring stations: every station's state (loaded with the room, recoloured
 * by `station:updated`, latest values refreshed every minute while the room is open) and the desk's station
 * alarms — a draft warning the thresholds raised, a station gone offline — each with the inbox's beep. Leaflet
 * stays out of this module (stationMarkers.ts draws the layer), so unit tests run it without a DOM.
 */
import type { StationStateView, WarningView } from '@beacon/protocol';
import { reactive } from 'vue';
import { beepNewReport } from '../command/inbox/inboxSound.ts';
import type { SignalingClient } from '../signaling/SignalingClient.ts';
import { stationApi } from './stationApi.ts';

export interface StationAlarm {
  key: string;
  kind: 'draft' | 'offline';
  stationName: string;
  level: StationStateView['level'];
  warningId: string | null;
  at: string;
}

export const stations = reactive({
  states: {} as Record<string, StationStateView>,
  /** The station whose chart is open. */
  selected: null as string | null,
  alarms: [] as StationAlarm[],
});

/** Refreshing the latest values: the socket only says when a colour changes, not every reading (400/s). */
const REFRESH_MS = 60_000;
let timer: ReturnType<typeof setInterval> | null = null;

export async function reloadStations(): Promise<void> {
  try {
    const list = await stationApi.states();
    stations.states = Object.fromEntries(list.map((s) => [s.stationId, s]));
  } catch {
    // Kept as it was: the next refresh or event tries again.
  }
}

function raise(alarm: StationAlarm): void {
  if (stations.alarms.some((a) => a.key === alarm.key)) return;
  stations.alarms.unshift(alarm);
  beepNewReport();
}

/** A state change: an alarm when it went offline or its level rose. */
export function applyStationState(state: StationStateView): void {
  const before = stations.states[state.stationId];
  stations.states[state.stationId] = state;
  if (state.offline && !before?.offline) {
    raise({
      key: `offline:${state.stationId}:${state.lastAt ?? ''}`,
      kind: 'offline',
      stationName: state.name,
      level: state.level,
      warningId: null,
      at: new Date().toISOString(),
    });
  }
}

/** A warning the system drafted from a station: the desk's alarm (the draft itself is in the warnings tab). */
export function applyWarning(warning: WarningView): void {
  if (warning.createdBy !== 'system' || warning.status !== 'draft') return;
  const station = Object.values(stations.states).find((s) => s.warningId === warning.id);
  const key = `draft:${warning.id}:${warning.colour}`;
  // A raised draft replaces its earlier alarm: one line per warning, at its current colour.
  if (!stations.alarms.some((a) => a.key === key)) {
    stations.alarms = stations.alarms.filter((a) => a.warningId !== warning.id);
  }
  raise({
    key,
    kind: 'draft',
    stationName: station?.name ?? warning.headline,
    level: warning.colour,
    warningId: warning.id,
    at: new Date().toISOString(),
  });
}

export function dismissAlarm(key: string): void {
  stations.alarms = stations.alarms.filter((a) => a.key !== key);
}

export function listenStations(socket: SignalingClient['socket']): void {
  socket.on('station:updated', applyStationState);
  socket.on('warning:updated', applyWarning);
  void reloadStations();
  if (timer) clearInterval(timer);
  timer = setInterval(() => void reloadStations(), REFRESH_MS);
}

export function stopStations(): void {
  if (timer) clearInterval(timer);
  timer = null;
  stations.selected = null;
}
