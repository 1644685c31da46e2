/** Which media a Beacon node drives, started as a part of its lifecycle. */
import path from 'node:path';
import type { Lifecycle } from '@beacon/common';
import { type MediaControl, MediaServer } from '@beacon/media-server';
import type { ClusterNode } from './cluster/ClusterNode.ts';
import { ControlTlsRenewal } from './media-nodes/ControlTlsRenewal.ts';
import { prepareControlTls } from './media-nodes/controlTls.ts';
import { CascadedMediaControl, InMemoryMediaNodeRegistry, RedisNodeDirectory } from './media-nodes/index.ts';
import { auditPipeRefusal } from './media-nodes/pipeRefusalAudit.ts';
import type { ResolvedAddresses } from './net/addresses.ts';
import type { StartBeaconOptions } from './server.ts';
import { tapTargets } from './sip/tapTargets.ts';
import type { AuditRepository } from './store/StoreTypes.ts';

/**
 * The media this node drives: the one it was given (not closed here), remote
 * media nodes in a cascade, or an in-process MediaServer.
 */
export async function startMedia(
  life: Lifecycle,
  opts: StartBeaconOptions,
  addresses: ResolvedAddresses,
  cluster: ClusterNode | null,
  peerOf: (roomId: string, peerId: string) => { claims: { townshipId: string | null } } | undefined,
  audit: Pick<AuditRepository, 'append'>,
): Promise<MediaControl> {
  const { config } = opts;
  if (opts.media) return opts.media;
  const { mediaNodes } = config;
  if (!mediaNodes) {
    return life.start(
      'media',
      () =>
        MediaServer.create({
          ...config.media,
          announcedAddress: addresses.mediaAnnounced,
          // Recordings go here and nowhere else; plain RTP (taps) only to the gateway's addresses and RTP ports.
          recordingsDir: path.resolve(config.dataDir, 'recordings'),
          plainTargets: tapTargets(config.sipTapAllow),
          plainTargetPorts: config.sipRtpPorts,
        }),
      (media) => media.close(),
    );
  }
  const { regions } = mediaNodes;
  const tls = await prepareControlTls(config, addresses.certificateNames);
  const cascade = await life.start(
    'media nodes',
    () =>
      CascadedMediaControl.create({
        nodeUrls: mediaNodes.urls,
        key: mediaNodes.key,
        registry: new InMemoryMediaNodeRegistry(),
        enableSrtp: mediaNodes.pipeSrtp,
        tls,
        // A node reporting a pipe endpoint that is not one of its registered addresses: refused and audited.
        onPipeRefused: (refusal) => void auditPipeRefusal(audit)(refusal),
        // A township's participants go to its region's node (a county node near it); the rest by load.
        regionOf: (roomId, peerId) => {
          const townshipId = peerOf(roomId, peerId)?.claims.townshipId;
          return townshipId ? regions[townshipId] : undefined;
        },
      }),
    (media) => media.close(),
  );
  if (tls) {
    // Signaling outlives its client certificate: renewed at two thirds of its life, used by later connections.
    const renewal = new ControlTlsRenewal({
      dir: path.join(config.dataDir, 'tls'),
      current: tls,
      onRenewed: (renewed) => cascade.updateTls(renewed),
    });
    life.add('media client certificate renewal', () => renewal.stop());
  }
  if (mediaNodes.discover && cluster) {
    await life.start(
      'media node directory',
      () =>
        RedisNodeDirectory.start({
          redis: cluster.redis,
          cascade,
          key: mediaNodes.key,
          allow: mediaNodes.allow,
        }),
      (directory) => directory.stop(),
    );
  }
  return cascade;
}
