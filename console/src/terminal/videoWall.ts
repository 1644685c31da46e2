/**
 * The duty officer's video wall (监控调阅): up to nine pulled township
 * cameras. The command room calls `openPulledVideo` / `closePulledVideo` /
 * `grabSnapshot` and mounts `VideoWall.vue`, which renders `wallPanels`.
 *
 * One socket for the wall carries `pull:start` / `pull:stop` (each panel's
 * audience session has its own socket, as every conference does); it is
 * opened with the first panel and closed with the last.
 */
import { shallowReactive } from 'vue';
import { cameraApi } from '../cameras/cameraApi.ts';
import { cameras } from '../cameras/cameraStore.ts';
import { snapshotPanelKey } from '../cameras/snapshotSource.ts';
import { ConsoleError, toConsoleError } from '../errors.ts';
import { endSession, session } from '../session.ts';
import { SignalingClient } from '../signaling/SignalingClient.ts';
import { showToast } from '../toast.ts';
import { PulledVideo, type PullSource } from './PulledVideo.ts';

export const MAX_PANELS = 9;
const CONNECT_TIMEOUT_MS = 10_000;

/** Open panels, oldest first (reactive: the wall renders it). */
export const wallPanels = shallowReactive<PulledVideo[]>([]);

let wall: SignalingClient | null = null;

function wallSocket(token: string): SignalingClient {
  if (wall) return wall;
  const client = new SignalingClient(token, {
    onConnect: () => undefined,
    onDisconnect: () => undefined,
    onAuthFailure: (code) => endSession(code),
    onConnectError: (error) => console.warn('[beacon] video wall socket', error.message),
  });
  client.connect();
  wall = client;
  return client;
}

function whenConnected(client: SignalingClient): Promise<void> {
  if (client.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onConnect = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.socket.off('connect', onConnect);
      reject(ConsoleError.timeout('video wall connect'));
    }, CONNECT_TIMEOUT_MS);
    client.socket.once('connect', onConnect);
  });
}

function closeWallIfIdle(): void {
  if (wallPanels.length > 0 || !wall) return;
  wall.close();
  wall = null;
}

function remove(panel: PulledVideo): void {
  const index = wallPanels.indexOf(panel);
  if (index >= 0) wallPanels.splice(index, 1);
}

export function findPanel(townshipId: string): PulledVideo | undefined {
  return wallPanels.find((p) => p.townshipId === townshipId);
}

/**
 * Pulls a township terminal's camera into a new panel (an open one is kept).
 * A refusal (terminal offline, wall full, no permission) drops the panel,
 * shows a toast and rejects with the ConsoleError.
 */
export function openPulledVideo(townshipId: string): Promise<void> {
  return openPanel(townshipId, null);
}

/** The wall key of a camera's panel. */
export const cameraPanelKey = (channelId: string): string => `cam:${channelId}`;

/** Opens a GB/T 28181 camera's live view in a new panel (its room comes from the REST API, not `pull:start`). */
export function openCameraVideo(channelId: string): Promise<void> {
  const source: PullSource = {
    start: () => cameraApi.view(channelId),
    stop: () => cameraApi.unview(channelId),
  };
  return openPanel(cameraPanelKey(channelId), { channelId, source });
}

async function openPanel(townshipId: string, camera: { channelId: string; source: PullSource } | null): Promise<void> {
  if (findPanel(townshipId)) return;
  const token = session.token;
  if (!token) throw new ConsoleError('unauthorized', 'not signed in');
  if (wallPanels.length >= MAX_PANELS) {
    showToast('terminal.wall.full', 'warn');
    throw new ConsoleError('bad_request', `the video wall holds ${MAX_PANELS} videos`);
  }
  const panel = new PulledVideo(
    townshipId,
    token,
    { onAuthFailure: (code) => endSession(code), onEnded: (ended) => void closePanel(ended) },
    camera,
  );
  wallPanels.push(panel);
  const client = wallSocket(token);
  try {
    await whenConnected(client);
    await panel.start(client);
  } catch (error) {
    const failure = toConsoleError(error);
    // Closed by the user while starting: not a failure worth a toast.
    const closedMeanwhile = panel.phase.value === 'closed';
    remove(panel);
    await panel.close(null);
    closeWallIfIdle();
    if (closedMeanwhile) return;
    showToast('terminal.wall.pullFailed', 'error', { township: townshipId, code: failure.code });
    throw failure;
  }
}

async function closePanel(panel: PulledVideo): Promise<void> {
  remove(panel);
  await panel.close(wall);
  closeWallIfIdle();
}

/** Closes the township's panel: leaves the pull room (the stream stops) and sends `pull:stop`. */
export async function closePulledVideo(townshipId: string): Promise<void> {
  const panel = findPanel(townshipId);
  if (panel) await closePanel(panel);
}

/** Closes every panel (the command room is going away, or the user signs out). */
export async function closeAllPulledVideos(): Promise<void> {
  await Promise.all([...wallPanels].map((panel) => closePanel(panel)));
}

/** A JPEG data URL of the current frame of that township's pulled video; null when none is showing. */
export async function grabSnapshot(townshipId: string): Promise<string | null> {
  return findPanel(townshipId)?.snapshot() ?? null;
}

/** The snapshot for an incident's note: its township's pull, else one of its cameras (snapshotSource.ts). */
export async function grabIncidentSnapshot(townshipId: string | null): Promise<string | null> {
  const candidates = wallPanels.map((p) => ({ key: p.townshipId, cameraId: p.cameraId }));
  const key = snapshotPanelKey(candidates, townshipId, (id) => cameras.byId[id]?.townshipId ?? null);
  return key ? grabSnapshot(key) : null;
}
