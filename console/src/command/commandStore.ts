/**
 * The command room's live picture: what the REST calls load at start, kept
 * current by the staff socket's events (warning:updated, ack:updated, sms:updated,
 * incident:updated, incident:timeline, task:updated, presence:updated,
 * sip:status). One store per page visit: `startCommandStore()` on mount,
 * `stopCommandStore()` on unmount.
 */
import type {
  AckBoardRow,
  BoundaryCollection,
  BoundaryGeometry,
  DepartmentView,
  IncidentView,
  LoudspeakerCallView,
  SipStatus,
  SmsRecipientView,
  TaskView,
  TerminalPresence,
  TerminalView,
  TimelineEntry,
  TownshipView,
  WarningView,
} from '@beacon/protocol';
import { reactive } from 'vue';
import { listenCameras, stopCameras } from '../cameras/cameraStore.ts';
import { listenDuty, releaseDutySocket, reloadDuty, stopDuty } from '../duty/dutyStore.ts';
import { isAuthError, toConsoleError } from '../errors.ts';
import { listenPlans } from '../plans/responseStore.ts';
import { endSession, session } from '../session.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { listenStations, stopStations } from '../stations/stationStore.ts';
import { showToast } from '../toast.ts';
import { commandApi } from './commandApi.ts';
import { listenReports } from './inbox/inboxStore.ts';
import { listenResources } from './resources/resourceStore.ts';

interface CommandState {
  connected: boolean;
  loadError: string | null;
  townships: TownshipView[];
  /** Enabled departments (pickers, ack board names). */
  departments: DepartmentView[];
  /** Imported boundaries by township id; townships without one are drawn as approximate cells. */
  boundaries: Record<string, BoundaryGeometry>;
  terminals: TerminalView[];
  presence: Record<string, TerminalPresence>;
  incidents: Record<string, IncidentView>;
  /** Only for incidents whose detail was opened. */
  timelines: Record<string, TimelineEntry[]>;
  warnings: Record<string, WarningView>;
  /** warningId → ackKey(row) → row; only for boards that were opened or changed live. */
  acks: Record<string, Record<string, AckBoardRow>>;
  /** warningId → recipientId → SMS recipient; only for boards that were opened. */
  sms: Record<string, Record<string, SmsRecipientView>>;
  /** warningId → callId → loudspeaker call (应急广播); only for boards that were opened. */
  loudspeakers: Record<string, Record<string, LoudspeakerCallView>>;
  tasks: Record<string, TaskView>;
}

export const command = reactive<CommandState>({
  connected: false,
  loadError: null,
  townships: [],
  departments: [],
  boundaries: {},
  terminals: [],
  presence: {},
  incidents: {},
  timelines: {},
  warnings: {},
  acks: {},
  sms: {},
  loudspeakers: {},
  tasks: {},
});

let client: SignalingClient | null = null;
/** The first connect follows the initial load; later ones are reconnects. */
let connectedBefore = false;

function byId<T extends { id: string }>(list: T[]): Record<string, T> {
  return Object.fromEntries(list.map((item) => [item.id, item]));
}

const COMMAND_ERRORS: readonly string[] = ['invalid_transition', 'cap_invalid', 'terminal_offline'];

/** i18n key for an error: the command room's own codes first, then the shared table. */
export function errorMessageKey(error: unknown): string {
  const code = toConsoleError(error).code;
  return COMMAND_ERRORS.includes(code) ? `command.errors.${code}` : `errors.${code}`;
}

/** Staff see an error as a toast; an expired session goes back to login. */
export function reportError(error: unknown): void {
  if (isAuthError(error)) endSession(toConsoleError(error).code);
  else showToast(errorMessageKey(error), 'error');
}

/** Best effort per resource: one missing route (e.g. audit for non-admins) must not blank the map. */
async function settle<T>(promise: Promise<T>, apply: (value: T) => void): Promise<void> {
  try {
    apply(await promise);
  } catch (error) {
    if (isAuthError(error)) endSession(toConsoleError(error).code);
    else command.loadError = errorMessageKey(error);
  }
}

function applyBoundaries(collection: BoundaryCollection): void {
  command.boundaries = Object.fromEntries(collection.features.map((f) => [f.properties.townshipId, f.geometry]));
}

export async function reloadCommand(): Promise<void> {
  command.loadError = null;
  await Promise.all([
    settle(commandApi.townships(), (list) => {
      command.townships = list;
    }),
    settle(commandApi.boundaries(), applyBoundaries),
    settle(commandApi.terminals(), (list) => {
      command.terminals = list;
    }),
    settle(commandApi.presence(), (list) => {
      command.presence = Object.fromEntries(list.map((p) => [p.townshipId, p]));
    }),
    settle(commandApi.incidents(), (list) => {
      command.incidents = byId(list);
    }),
    settle(commandApi.warnings(), (list) => {
      command.warnings = byId(list);
    }),
    settle(commandApi.departments(), (list) => {
      command.departments = list;
    }),
    settle(commandApi.tasks(), (list) => {
      command.tasks = byId(list);
    }),
    reloadDuty(),
  ]);
}

/** A township's line is keyed by its id (as the township cards read it), a department's by `department:<id>`. */
export function ackKey(row: Pick<AckBoardRow, 'townshipId' | 'departmentId'>): string {
  return row.townshipId ?? departmentAckKey(row.departmentId ?? '');
}

export function departmentAckKey(departmentId: string): string {
  return `department:${departmentId}`;
}

export async function loadAcks(warningId: string): Promise<void> {
  const rows = await commandApi.acks(warningId);
  command.acks[warningId] = Object.fromEntries(rows.map((row) => [ackKey(row), row]));
}

export async function loadSms(warningId: string): Promise<void> {
  command.sms[warningId] = byId(await commandApi.sms(warningId));
}

export async function loadLoudspeakers(warningId: string): Promise<void> {
  command.loudspeakers[warningId] = byId(await commandApi.loudspeakers(warningId));
}

export async function loadIncident(id: string): Promise<void> {
  const detail = await commandApi.incident(id);
  command.incidents[id] = detail.incident;
  command.timelines[id] = detail.timeline;
}

/** Phone flags per township from the gateway's registrations (any phone of the township counts). */
export function applySipStatus(status: SipStatus): void {
  const phones = new Map<string, { registered: boolean; inCall: boolean }>();
  for (const reg of status.registrations) {
    if (!reg.townshipId) continue;
    const seen = phones.get(reg.townshipId) ?? { registered: false, inCall: false };
    phones.set(reg.townshipId, {
      registered: seen.registered || (status.available && reg.registered),
      inCall: seen.inCall || (status.available && reg.inCall),
    });
  }
  for (const township of command.townships) {
    const phone = phones.get(township.id) ?? { registered: false, inCall: false };
    const current = command.presence[township.id] ?? {
      townshipId: township.id,
      videoOnline: false,
      inMeeting: null,
      phoneRegistered: false,
      phoneInCall: false,
    };
    command.presence[township.id] = { ...current, phoneRegistered: phone.registered, phoneInCall: phone.inCall };
  }
}

function listen(socket: SignalingClient['socket']): void {
  socket.on('presence:updated', (p) => {
    command.presence[p.townshipId] = p;
  });
  socket.on('sip:status', applySipStatus);
  socket.on('incident:updated', (incident) => {
    command.incidents[incident.id] = incident;
  });
  socket.on('incident:timeline', (entry) => {
    const list = command.timelines[entry.incidentId];
    if (list && !list.some((e) => e.id === entry.id)) list.push(entry);
  });
  socket.on('warning:updated', (warning) => {
    command.warnings[warning.id] = warning;
  });
  socket.on('ack:updated', (row) => {
    const board = command.acks[row.warningId] ?? {};
    board[ackKey(row)] = row;
    command.acks[row.warningId] = board;
  });
  // Only boards that were opened: the others load their recipients when they open.
  socket.on('sms:updated', (recipient) => {
    const recipients = command.sms[recipient.warningId];
    if (recipients) recipients[recipient.id] = recipient;
  });
  socket.on('loudspeaker:updated', (call) => {
    const calls = command.loudspeakers[call.warningId];
    if (calls) calls[call.id] = call;
  });
  socket.on('boundaries:updated', () => {
    void settle(commandApi.boundaries(), applyBoundaries);
  });
  socket.on('task:updated', (task) => {
    command.tasks[task.id] = task;
  });
  listenDuty(socket, session.user?.id ?? null);
  listenReports(socket);
  listenPlans(socket);
  listenStations(socket);
  listenCameras(socket);
  listenResources(socket);
}

export function startCommandStore(): void {
  stopCommandStore();
  connectedBefore = false;
  void reloadCommand();
  if (!session.token) return;
  client = new SignalingClient(session.token, {
    onConnect: () => {
      // Events missed while disconnected are not replayed: reload the picture.
      if (connectedBefore) void reloadCommand();
      connectedBefore = true;
      command.connected = true;
    },
    onDisconnect: () => {
      command.connected = false;
    },
    onAuthFailure: (code) => endSession(code),
    onConnectError: () => {
      command.connected = false;
    },
  });
  listen(client.socket);
  client.connect();
}

export function stopCommandStore(): void {
  if (client) releaseDutySocket(client.socket);
  client?.close();
  client = null;
  command.connected = false;
  stopDuty();
  stopStations();
  stopCameras();
}
