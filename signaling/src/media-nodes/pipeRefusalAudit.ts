/**
 * A refused cascade pipe endpoint (CascadeRoom) in the audit: a media node
 * that reports a pipe endpoint outside its registered addresses is either
 * misconfigured (MEDIA_NODE_ANNOUNCED_ADDRESS not among its certificate's
 * names) or trying to have a room's media sent elsewhere; an operator must
 * see both.
 */
import { createLogger } from '../logger.ts';
import type { AuditRepository } from '../store/StoreTypes.ts';
import type { PipeRefusal } from './CascadeRoom.ts';

const logger = createLogger('CascadeRoom');

export function auditPipeRefusal(audit: Pick<AuditRepository, 'append'>): (refusal: PipeRefusal) => Promise<void> {
  return async ({ roomId, nodeId, peerNodeId, ip, port, registered }) => {
    try {
      await audit.append({
        actorId: 'system',
        role: 'service',
        action: 'media.pipe_refused',
        target: roomId,
        detail: { reason: 'endpoint_not_registered', nodeId, peerNodeId, ip, port, registered },
      });
    } catch (err) {
      logger.error({ err, roomId, nodeId }, 'refused pipe endpoint not audited');
    }
  };
}
