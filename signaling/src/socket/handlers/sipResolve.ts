/**
 * sip:resolve — the gateway asks which room a dialled conference number is
 * (`room_not_found` if none). The duty number gets a line of its own, joined
 * without a PIN (duty/DutyCalls.ts).
 */
import { BeaconError } from '@beacon/protocol';
import type { RoomRecord } from '../../store/index.ts';
import type { Handler, HandlerContext } from '../types.ts';

export async function roomByNumber(ctx: HandlerContext, number: string): Promise<RoomRecord> {
  const room = await ctx.store.rooms.findByDialNumber(number);
  if (!room) throw new BeaconError('room_not_found', `no conference has the number ${number}`);
  return room;
}

export const sipResolve: Handler<'sip:resolve'> = async (ctx, { number }) => {
  if (number === ctx.command.dutyCalls.number) {
    return { ...(await ctx.command.dutyCalls.open()), pinRequired: false };
  }
  const room = await roomByNumber(ctx, number);
  return { roomId: room.id, title: room.title };
};
