/**
 * Ends what a disabled account still holds open. The admin routes call
 * `disabled(userId)`; the socket server (socket/createSocketServer.ts)
 * listens and disconnects every socket of that user — on every node, since
 * socket.io's Redis adapter carries `disconnectSockets` across the cluster.
 * Like SipBridge, this side does not know socket.io.
 */
import { TypedEmitter } from '@beacon/common';

export type AccountSessionsEvents = {
  /** Close every socket of this user now. */
  revoke: [{ userId: string; reason: string }];
};

/** The socket.io room each socket of a user joins at connection. */
export const userRoom = (userId: string): string => `user:${userId}`;

export class AccountSessions extends TypedEmitter<AccountSessionsEvents> {
  disabled(userId: string): void {
    this.safeEmit('revoke', { userId, reason: 'account_disabled' });
  }
}
