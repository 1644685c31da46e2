/** Types shared by the socket layer and its handlers. */
import type { MediaControl } from '@beacon/media-server';
import type {
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@beacon/protocol';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import type { AuthClaims, TokenService, TokenSession } from '../auth/tokens.ts';
import type { CommandRoom } from '../command/CommandRoom.ts';
import type { ChatBudget } from '../limits/ChatBudget.ts';
import type { BeaconMetrics } from '../metrics.ts';
import type { MeetingJournal } from '../rooms/MeetingJournal.ts';
import type { RoomRegistry } from '../rooms/RoomRegistry.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { SipTaps } from '../sip/SipTaps.ts';
import type { Store } from '../store/index.ts';
import type { TurnService } from '../turn/TurnService.ts';
import type { SocketSession } from './SocketSession.ts';

export interface SocketData {
  claims: AuthClaims;
  /** The token's id and lifetime: sign-out closes the socket, and so does the token's expiry. */
  session: TokenSession;
}

// biome-ignore lint/complexity/noBannedTypes: socket.io's slot for inter-server events, unused here.
type NoInterServerEvents = {};

export type BeaconServer = Server<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;
export type BeaconSocket = Socket<ClientToServerEvents, ServerToClientEvents, NoInterServerEvents, SocketData>;

/** What every handler gets: the socket, its session and the node's services. */
export interface HandlerContext {
  io: BeaconServer;
  socket: BeaconSocket;
  session: SocketSession;
  registry: RoomRegistry;
  store: Store;
  /** The running meeting of each room this node serves. */
  journal: MeetingJournal;
  log: Logger;
  media: MediaControl;
  tokens: TokenService;
  /** Gateway status, dial-outs, phone credentials. */
  sip: SipBridge;
  /** The gateway's room taps. */
  taps: SipTaps;
  /** The command room: incidents, warnings and acks, tasks, presence, video pull. */
  command: CommandRoom;
  /** TURN (BEACON_TURN=on): ICE servers for each transport; null when off. */
  turn: TurnService | null;
  /** This node's Prometheus counters (the gateway's status reports feed some). */
  metrics: BeaconMetrics;
  /** Bounds each meeting's chat history (runs where the room is: the owner node in cluster mode). */
  chatBudget: ChatBudget;
}

/** One client event: validated payload in, ack data out; throw BeaconError to refuse. */
export type Handler<E extends ClientEventName> = (
  ctx: HandlerContext,
  payload: ClientPayload<E>,
) => Promise<ClientEventResults[E]>;

export type HandlerTable = { [E in ClientEventName]: Handler<E> };
