/**
 * Pipes between this media node and other nodes hosting the same room
 * (cascade). One mediasoup PipeTransport per (room, remote node), carrying
 * producers both ways; each producer is piped at most once per transport.
 *
 * The two ends of a pipe live in different processes, so what
 * `Router.pipeToRouter` wires with local listeners here becomes events the
 * caller (signaling's CascadedMediaControl) relays to the other node:
 *
 * ```
 *   source node                                   target node
 *   producer ──> pipeConsume ═══ PipeTransport ═══> pipeProduce ──> consumers
 *                   │  close / pause / resume              ^
 *                   └── 'pipeconsumer*' events ── relay ───┘ setPipedProducer
 * ```
 *
 * RTX is on (a lost packet across the hop is repaired by the receiving
 * consumers' NACKs); SRTP is optional per pipe.
 *
 * A pipe connects only to the node it was opened toward: signaling passes the
 * addresses that node is registered under with `openPipe` (`peerAddresses`),
 * and `connectPipe` refuses any other endpoint. `allow` (MEDIA_NODE_PIPE_ALLOW)
 * narrows that further when an operator sets it; a pipe opened without peer
 * addresses may only go where `allow` says (loopback by default, like plain
 * RTP targets). Whoever can make a control call must not be able to stream a
 * room's producers to any host.
 */

import { TypedEmitter } from '@beacon/common';
import type { types as ms } from 'mediasoup';
import { createLogger } from '../logger.ts';
import type { MediaKind } from '../MediaControlTypes.ts';
import { MediaError } from '../MediaError.ts';
import type { MediaServer } from '../MediaServer.ts';
import { PlainTargets } from '../plainTargets.ts';

const logger = createLogger('PipeHub');

export interface PipeEndpoint {
  ip: string;
  port: number;
  srtpParameters?: ms.SrtpParameters;
}

/** What the target node needs to re-create a piped producer. */
export interface PipedProducerParams {
  producerId: string;
  /** The peer owning the producer on the source node. */
  peerId: string;
  kind: MediaKind;
  rtpParameters: ms.RtpParameters;
  paused: boolean;
  appData: Record<string, unknown>;
}

export interface PipeCounts {
  pipeTransports: number;
  /** Producers of this node sent to another node. */
  pipeConsumers: number;
  /** Producers of other nodes received here. */
  pipeProducers: number;
}

type PipeRef = { roomId: string; remoteNodeId: string; producerId: string };

export type PipeHubEvents = {
  /** A pipe consumer (source side) closed: the target must close its piped producer. */
  pipeconsumerclosed: [PipeRef];
  pipeconsumerpaused: [PipeRef];
  pipeconsumerresumed: [PipeRef];
};

export interface PipeHubOptions {
  /** Bind address of pipe transports. */
  listenIp: string;
  /** Address the other node sends to (the node's reachable address). */
  announcedAddress: string;
  /** UDP port range shared with plain transports. */
  portRange: { min: number; max: number };
  /**
   * Addresses / CIDR networks of the other media nodes a pipe may connect to (validated by the caller): an
   * operator's restriction on top of the peer addresses signaling names. Default: none on top of those, and
   * loopback (nodes on this machine only) for a pipe opened without them.
   */
  allow?: readonly string[];
}

export const DEFAULT_PIPE_ALLOW: readonly string[] = ['127.0.0.0/8', '::1/128'];

interface PipeLink {
  transport: ms.PipeTransport;
  /** Source side: producers of this node piped out, by producer id. */
  consumers: Map<string, ms.Consumer>;
  /** Target side: producers of the remote node piped in, by producer id. */
  producers: Map<string, ms.Producer>;
  /** The remote node's registered addresses, as signaling gave them with openPipe; null: none given. */
  peer: { entries: readonly string[]; targets: PlainTargets } | null;
}

export class PipeHub extends TypedEmitter<PipeHubEvents> {
  readonly #media: MediaServer;
  readonly #options: PipeHubOptions;
  /** The operator's MEDIA_NODE_PIPE_ALLOW, null when unset. */
  readonly #allow: PlainTargets | null;
  readonly #loopback = new PlainTargets(DEFAULT_PIPE_ALLOW);
  /** By `${roomId}\n${remoteNodeId}`; creations in flight share one promise. */
  readonly #links = new Map<string, Promise<PipeLink>>();
  /** The same links once created, for synchronous counts. */
  readonly #settled = new Map<string, PipeLink>();

  constructor(media: MediaServer, options: PipeHubOptions) {
    super();
    this.#media = media;
    this.#options = options;
    this.#allow = options.allow ? new PlainTargets(options.allow) : null;
  }

  /**
   * Creates (or returns) the room's pipe transport toward `remoteNodeId`; its local endpoint. `peerAddresses`:
   * the addresses `remoteNodeId` is registered under (IP addresses, from signaling), the only ones
   * `connectPipe` will then accept.
   */
  async openPipe(
    roomId: string,
    remoteNodeId: string,
    opts: { enableSrtp: boolean; peerAddresses?: readonly string[] | undefined },
  ): Promise<PipeEndpoint> {
    const key = linkKey(roomId, remoteNodeId);
    let pending = this.#links.get(key);
    if (!pending) {
      pending = this.#createLink(roomId, remoteNodeId, opts.enableSrtp);
      this.#links.set(key, pending);
      pending.catch(() => {
        if (this.#links.get(key) === pending) this.#links.delete(key);
      });
    }
    const link = await pending;
    if (opts.peerAddresses && opts.peerAddresses.length > 0) {
      link.peer = { entries: opts.peerAddresses, targets: new PlainTargets(opts.peerAddresses) };
    }
    const { transport } = link;
    return {
      ip: transport.tuple.localAddress ?? this.#options.announcedAddress,
      port: transport.tuple.localPort,
      ...(transport.srtpParameters ? { srtpParameters: transport.srtpParameters } : {}),
    };
  }

  /**
   * Points the pipe at the remote node's endpoint (both ends must be connected). An address that is not one
   * of the remote node's (or is outside `allow`) is refused with `target_not_allowed` (and logged) before
   * anything is sent to it.
   */
  async connectPipe(roomId: string, remoteNodeId: string, remote: PipeEndpoint): Promise<void> {
    const link = await this.#link(roomId, remoteNodeId);
    const refusal = this.#refusal(link, remote.ip);
    if (refusal) {
      logger.warn(
        {
          roomId,
          remoteNodeId,
          ip: remote.ip,
          port: remote.port,
          peerAddresses: link.peer?.entries ?? null,
          allowed: this.#options.allow ?? null,
        },
        'pipe to an address that is not the remote media node refused',
      );
      throw new MediaError('target_not_allowed', `a pipe may not connect to ${remote.ip} (${refusal})`);
    }
    const { transport } = link;
    await transport.connect({
      ip: remote.ip,
      port: remote.port,
      ...(remote.srtpParameters ? { srtpParameters: remote.srtpParameters } : {}),
    });
  }

  /** Source side: sends `producerId` into the pipe once; later calls return the same parameters. */
  async pipeConsume(roomId: string, remoteNodeId: string, producerId: string): Promise<PipedProducerParams> {
    const link = await this.#link(roomId, remoteNodeId);
    const owner = this.#media.listProducers(roomId).find((info) => info.id === producerId);
    if (!owner) throw MediaError.producerNotFound(producerId);
    let consumer = link.consumers.get(producerId);
    if (!consumer) {
      consumer = await link.transport.consume({ producerId });
      if (link.consumers.has(producerId)) {
        // A concurrent call won the race: keep one pipe per producer.
        consumer.close();
        consumer = link.consumers.get(producerId) as ms.Consumer;
      } else {
        this.#watchPipeConsumer(link, consumer, { roomId, remoteNodeId, producerId });
      }
    }
    return {
      producerId,
      peerId: owner.peerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      paused: consumer.producerPaused,
      appData: owner.appData,
    };
  }

  /** Target side: the piped producer, consumable in the room as the source peer's. Idempotent. */
  async pipeProduce(roomId: string, remoteNodeId: string, params: PipedProducerParams): Promise<void> {
    const link = await this.#link(roomId, remoteNodeId);
    if (link.producers.has(params.producerId)) return;
    const producer = await link.transport.produce({
      id: params.producerId,
      kind: params.kind,
      rtpParameters: params.rtpParameters,
      paused: params.paused,
      appData: { ...params.appData, pipedFrom: remoteNodeId },
    });
    link.producers.set(producer.id, producer);
    producer.observer.once('close', () => link.producers.delete(producer.id));
    try {
      await this.#media.localRoom(roomId).adoptPipedProducer(producer, params.peerId);
    } catch (error) {
      producer.close();
      throw error;
    }
    logger.debug({ roomId, remoteNodeId, producerId: producer.id }, 'piped producer created');
  }

  /** Target side: mirrors the source producer's state (relayed 'pipeconsumer*' events). */
  async setPipedProducer(
    roomId: string,
    remoteNodeId: string,
    producerId: string,
    action: 'pause' | 'resume' | 'close',
  ): Promise<void> {
    const link = await this.#links.get(linkKey(roomId, remoteNodeId))?.catch(() => undefined);
    const producer = link?.producers.get(producerId);
    if (!producer) return;
    if (action === 'close') producer.close();
    else if (action === 'pause') await producer.pause();
    else await producer.resume();
  }

  /** Source side: stop sending `producerId` to the remote node (its last consumer there went). */
  async unpipe(roomId: string, remoteNodeId: string, producerId: string): Promise<void> {
    const link = await this.#links.get(linkKey(roomId, remoteNodeId))?.catch(() => undefined);
    link?.consumers.get(producerId)?.close();
  }

  /** Closes the room's pipe toward `remoteNodeId` and everything in it. Idempotent. */
  async closePipe(roomId: string, remoteNodeId: string): Promise<void> {
    const link = await this.#links.get(linkKey(roomId, remoteNodeId))?.catch(() => undefined);
    link?.transport.close();
  }

  counts(): PipeCounts {
    return [...this.#settled.values()].reduce<PipeCounts>(
      (counts, link) => ({
        pipeTransports: counts.pipeTransports + 1,
        pipeConsumers: counts.pipeConsumers + link.consumers.size,
        pipeProducers: counts.pipeProducers + link.producers.size,
      }),
      { pipeTransports: 0, pipeConsumers: 0, pipeProducers: 0 },
    );
  }

  /** Why the pipe may not connect to `ip`, or null when it may. */
  #refusal(link: PipeLink, ip: string): string | null {
    if (this.#allow && !this.#allow.allows(ip)) return 'not within MEDIA_NODE_PIPE_ALLOW';
    if (link.peer) return link.peer.targets.allows(ip) ? null : 'not an address of the node the pipe was opened to';
    return this.#allow || this.#loopback.allows(ip) ? null : 'not an allowed media node';
  }

  async #createLink(roomId: string, remoteNodeId: string, enableSrtp: boolean): Promise<PipeLink> {
    const { listenIp, announcedAddress, portRange } = this.#options;
    const wildcard = listenIp === '0.0.0.0' || listenIp === '::';
    const transport = await this.#media.localRoom(roomId).createPipeTransport({
      listenInfo: {
        protocol: 'udp',
        ip: listenIp,
        announcedAddress: wildcard ? announcedAddress : undefined,
        portRange,
      },
      enableRtx: true,
      enableSrtp,
      enableSctp: false,
      appData: { remoteNodeId },
    });
    const key = linkKey(roomId, remoteNodeId);
    const link: PipeLink = { transport, consumers: new Map(), producers: new Map(), peer: null };
    this.#settled.set(key, link);
    // Router closed (room closed or worker died) or closePipe: forget the link.
    transport.observer.once('close', () => {
      this.#settled.delete(key);
      this.#links.delete(key);
      logger.debug({ roomId, remoteNodeId }, 'pipe transport closed');
    });
    logger.info({ roomId, remoteNodeId, port: transport.tuple.localPort, enableSrtp }, 'pipe transport created');
    return link;
  }

  async #link(roomId: string, remoteNodeId: string): Promise<PipeLink> {
    const link = await this.#links.get(linkKey(roomId, remoteNodeId));
    if (!link) throw new MediaError('invalid_state', `no pipe toward node "${remoteNodeId}" in room "${roomId}"`);
    return link;
  }

  #watchPipeConsumer(link: PipeLink, consumer: ms.Consumer, ref: PipeRef): void {
    link.consumers.set(ref.producerId, consumer);
    consumer.observer.once('close', () => {
      link.consumers.delete(ref.producerId);
      this.safeEmit('pipeconsumerclosed', ref);
    });
    consumer.observer.on('pause', () => this.safeEmit('pipeconsumerpaused', ref));
    consumer.observer.on('resume', () => this.safeEmit('pipeconsumerresumed', ref));
    logger.debug(ref, 'producer piped out');
  }
}

function linkKey(roomId: string, remoteNodeId: string): string {
  return `${roomId}\n${remoteNodeId}`;
}
