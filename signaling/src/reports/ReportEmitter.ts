/**
 * Turns report events into socket.io emits: every chain change goes to the
 * command room's staff and to the reporting unit's sockets (a township's
 * terminals sit in `township:<id>`; a department's accounts join
 * `department:<id>` here), so a red deadline or a question shows on both sides.
 */
import type { ReportChainView } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { STAFF_ROOM } from '../socket/CommandEmitter.ts';
import type { BeaconServer, BeaconSocket } from '../socket/types.ts';
import type { ReportDesk } from './ReportDesk.ts';

const logger = createLogger('ReportEmitter');
const unitRoom = (chain: Pick<ReportChainView, 'unitKind' | 'unitId'>): string => `${chain.unitKind}:${chain.unitId}`;

export class ReportEmitter {
  readonly #desk: ReportDesk;
  readonly #onReport: (chain: ReportChainView) => void;

  constructor(opts: { io: BeaconServer; desk: ReportDesk }) {
    this.#desk = opts.desk;
    this.#onReport = (chain) => {
      opts.io.to([STAFF_ROOM, unitRoom(chain)]).emit('report:updated', chain);
      // The departments of the chain's incident see it too (they may add follow-ups); pages keep the newest by
      // updatedAt, so this later emit cannot undo a newer one.
      if (!chain.incidentId) return;
      this.#desk
        .involvedDepartments(chain)
        .then((ids) => {
          if (ids.length > 0) opts.io.to(ids.map((id) => `department:${id}`)).emit('report:updated', chain);
        })
        .catch((err: unknown) => logger.warn({ err, chainId: chain.id }, 'report not pushed to departments'));
    };
    this.#desk.on('report', this.#onReport);
  }

  /** A department's account hears its own chains (townships' terminals already sit in their room). */
  connected(socket: BeaconSocket): void {
    const { claims } = socket.data;
    if (claims.role === 'department' && claims.departmentId) {
      void socket.join(unitRoom({ unitKind: 'department', unitId: claims.departmentId }));
    }
  }

  close(): void {
    this.#desk.off('report', this.#onReport);
  }
}
