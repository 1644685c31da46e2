/**
 * material:present — the chair shows a material of the room's booked meeting at a page: the page (rendered
 * server-side, MaterialPages) becomes everyone's main view through the room state; terminals in the room follow.
 * Only a material of a booking held in this room; the page must exist. Audited when a material is opened or
 * closed, not for each page turned.
 */
import { BeaconError } from '@beacon/protocol';
import type { Handler } from '../types.ts';
import { auditMeeting } from './meetingHelpers.ts';

export const materialPresent: Handler<'material:present'> = async (ctx, { materialId, page }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'material:present');
  const before = room.state().presentation ?? null;
  if (materialId === null) {
    room.present(null);
    if (before) await auditMeeting(ctx, participant, 'present_stop', room, { materialId: before.materialId });
    return { pages: 0 };
  }
  const material = await ctx.command.notices.materialRecord(participant.claims, materialId);
  const booking = material.bookingId ? await ctx.store.bookings.get(material.bookingId) : undefined;
  if (booking?.roomId !== room.id) throw BeaconError.notFound('material');
  const pages = await ctx.command.materialPages.count(material);
  if (page > pages) throw new BeaconError('bad_request', `只有 ${pages} 页 / the material has ${pages} pages`);
  room.present({
    materialId,
    name: material.name,
    page,
    pages,
    url: `/api/v1/meetings/materials/${materialId}/pages/${page}`,
  });
  if (before?.materialId !== materialId) {
    await auditMeeting(ctx, participant, 'present', room, { materialId, name: material.name, pages });
  }
  return { pages };
};
