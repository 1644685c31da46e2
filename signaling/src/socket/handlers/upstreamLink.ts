/**
 * upstream:connect | disconnect | mute | status — the chair (or a co-chair)
 * links the room up to the deployment's upstream conference (上联), ends the
 * link, or mutes our side toward it; anyone in the room may read its status
 * (then gets `upstream:status` on every change). Each chair action is audited
 * with the chair as actor; the link's own moves are audited by UpstreamLinks.
 */
import { BeaconError } from '@beacon/protocol';
import type { UpstreamLink } from '../../sip/upstream/UpstreamLink.ts';
import type { Handler, HandlerContext } from '../types.ts';

function linkOf(ctx: HandlerContext, roomId: string): UpstreamLink {
  const link = ctx.sip.upstream.link(roomId);
  if (!link) {
    throw new BeaconError(
      'upstream_not_configured',
      '未配置上级会场 / no upstream conference is configured (BEACON_UPSTREAM_URI)',
    );
  }
  return link;
}

function audit(ctx: HandlerContext, actorId: string, role: string, action: string, roomId: string, detail = {}) {
  return ctx.store.audit.append({ actorId, role, action, target: roomId, detail });
}

export const upstreamConnect: Handler<'upstream:connect'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'upstream:connect');
  const link = linkOf(ctx, room.id);
  await audit(ctx, participant.claims.userId, participant.claims.role, 'upstream.connect', room.id, {
    peerId: participant.peerId,
    from: link.state,
  });
  link.connect();
  return link.status();
};

export const upstreamDisconnect: Handler<'upstream:disconnect'> = async (ctx) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'upstream:disconnect');
  const link = linkOf(ctx, room.id);
  await audit(ctx, participant.claims.userId, participant.claims.role, 'upstream.disconnect', room.id, {
    peerId: participant.peerId,
    from: link.state,
  });
  link.disconnect();
  return link.status();
};

export const upstreamMute: Handler<'upstream:mute'> = async (ctx, { muted }) => {
  const { room, participant } = ctx.session.require(ctx.registry, 'upstream:mute');
  const link = linkOf(ctx, room.id);
  await audit(
    ctx,
    participant.claims.userId,
    participant.claims.role,
    muted ? 'upstream.mute' : 'upstream.unmute',
    room.id,
    { peerId: participant.peerId },
  );
  link.setSendMuted(muted);
  return link.status();
};

export const upstreamStatus: Handler<'upstream:status'> = async (ctx) => {
  const { room } = ctx.session.require(ctx.registry, 'upstream:status');
  return ctx.sip.upstream.status(room.id);
};
