/**
 * Duty as the command room shows it: who is on duty now and next, the duty
 * log and the open handover. Loaded with the command room's picture and kept
 * current by the staff socket's duty events (duty:roster, duty:log,
 * duty:handover); the shift changes by the clock too, so "now" is read again
 * when the current shift ends.
 */
import type { DutyCallView, DutyLogEntry, DutyNowView, HandoverView } from '@beacon/protocol';
import { request } from '@beacon/protocol/request';
import { reactive } from 'vue';
import type { SignalingClient } from '../signaling/SignalingClient.ts';
import { dutyApi } from './dutyApi.ts';

interface DutyState {
  now: DutyNowView | null;
  /** Newest first. */
  log: DutyLogEntry[];
  /** The handover in progress (draft or handed over), if any. */
  handover: HandoverView | null;
  /** The last accepted one, shown until the next starts. */
  lastAccepted: HandoverView | null;
  /** Calls to the duty number ringing for this user (duty:call), oldest first. */
  calls: DutyCallView[];
}

export const duty = reactive<DutyState>({ now: null, log: [], handover: null, lastAccepted: null, calls: [] });
/** The staff socket the duty events come on: answers and declines go back on it. */
let dutySocket: SignalingClient['socket'] | null = null;

/** How many log entries the command room keeps. */
const LOG_SHOWN = 100;
/** Re-read "now" a moment after the shift's end (the server decides what the next shift is). */
const SHIFT_END_SLACK_MS = 2_000;
let shiftTimer: ReturnType<typeof setTimeout> | undefined;

export async function reloadNow(): Promise<void> {
  duty.now = await dutyApi.now();
  clearTimeout(shiftTimer);
  const end = duty.now.now ? Date.parse(duty.now.now.endsAt) : Date.parse(duty.now.next.startsAt);
  // setTimeout cannot wait longer than ~24.8 days; a shift is far shorter.
  const wait = Math.min(Math.max(end - Date.now() + SHIFT_END_SLACK_MS, SHIFT_END_SLACK_MS), 2 ** 31 - 1);
  shiftTimer = setTimeout(() => void reloadNow().catch(() => undefined), wait);
}

/** Loads everything duty shows; each part on its own (one failing must not blank the others). */
export async function reloadDuty(): Promise<void> {
  await Promise.allSettled([
    reloadNow(),
    dutyApi.log(LOG_SHOWN).then((log) => {
      duty.log = log;
    }),
    dutyApi.calls().then((calls) => {
      duty.calls = calls;
    }),
    dutyApi.handovers(5).then((list) => {
      duty.handover = list.find((h) => h.status !== 'accepted') ?? null;
      duty.lastAccepted = list.find((h) => h.status === 'accepted') ?? null;
    }),
  ]);
}

export function applyHandover(handover: HandoverView): void {
  if (handover.status === 'accepted') {
    duty.lastAccepted = handover;
    if (duty.handover?.id === handover.id) duty.handover = null;
  } else {
    duty.handover = handover;
  }
}

export function applyLogEntry(entry: DutyLogEntry): void {
  if (duty.log.some((e) => e.id === entry.id)) return;
  duty.log = [entry, ...duty.log].slice(0, LOG_SHOWN);
}

/**
 * A call's card shows while it rings or is forwarded and this user has not
 * declined it; answered by someone else or ended, it goes.
 */
export function applyCall(call: DutyCallView, userId: string | null): void {
  const others = duty.calls.filter((c) => c.callId !== call.callId);
  const open = call.state === 'ringing' || call.state === 'forwarded';
  const declined = userId !== null && call.declinedBy.includes(userId);
  duty.calls = open && !declined ? [...others, call] : others;
}

/** Takes the call; resolves with its room (the caller joins it from there). */
export async function answerCall(callId: string): Promise<string> {
  if (!dutySocket) throw new Error('not connected');
  const { roomId } = await request(dutySocket, 'duty:call:answer', { callId }, { failFast: true });
  duty.calls = duty.calls.filter((c) => c.callId !== callId);
  return roomId;
}

export async function declineCall(callId: string): Promise<void> {
  if (!dutySocket) throw new Error('not connected');
  duty.calls = duty.calls.filter((c) => c.callId !== callId);
  await request(dutySocket, 'duty:call:decline', { callId }, { failFast: true });
}

export function listenDuty(socket: SignalingClient['socket'], userId: string | null = null): void {
  dutySocket = socket;
  socket.on('duty:call', (call) => applyCall(call, userId));
  socket.on('duty:roster', () => void reloadNow().catch(() => undefined));
  socket.on('duty:log', applyLogEntry);
  socket.on('duty:handover', applyHandover);
}

/**
 * Answers and declines stop going on `socket`, and its calls' cards go.
 * Another page's socket may have taken over already (the app's duty watch
 * and the command room hand over on navigation, in either order): then
 * nothing changes.
 */
export function releaseDutySocket(socket: SignalingClient['socket']): void {
  if (dutySocket !== socket) return;
  dutySocket = null;
  duty.calls = [];
}

export function stopDuty(): void {
  clearTimeout(shiftTimer);
  shiftTimer = undefined;
}
