/**
 * The duty number's lines: `duty-line-N` rooms, reused. A call takes the
 * first line without a call and without anyone in it, created on first need
 * (a fresh room per call would take a conference number from 6001–6999 for
 * good). An admin may disable a line: it keeps its history and is skipped.
 */
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { Store } from '../store/index.ts';

const LINE_PREFIX = 'duty-line-';
/** Lines at most: calls at once to the duty desk. */
const MAX_LINES = 50;

export const isDutyLine = (roomId: string): boolean => roomId.startsWith(LINE_PREFIX);

/** The first free line, or null when all are busy; `busy` says whether a call holds the room. */
export async function freeLine(
  store: Store,
  registry: RoomRegistry,
  busy: (roomId: string) => boolean,
): Promise<{ roomId: string; title: string } | null> {
  for (let line = 1; line <= MAX_LINES; line++) {
    const roomId = `${LINE_PREFIX}${line}`;
    if (busy(roomId) || registry.participantCount(roomId) > 0) continue;
    const record =
      (await store.rooms.get(roomId)) ??
      (await store.rooms.create({ id: roomId, title: `值班电话 ${line}`, kind: 'meeting', createdBy: null }));
    if (record.enabled) return { roomId, title: record.title };
  }
  return null;
}
