/**
 * GB/T 28181 cameras in real Chromium, with the device simulator as the
 * camera: an admin registers the device on the admin page, the simulator registers and keeps
 * alive (SIP over TCP, as many NVRs are set up), its channel appears on the command map as an online camera; the duty
 * officer opens it on the video wall and Chromium decodes the H.264 that came
 * as PS over RTP (framesDecoded growing; the time from the click to the first
 * decoded frame is printed), the wall's joining having asked the camera for a key frame (IFameCmd); holding the panel's → button sends "pan right"
 * and releasing it "stop", which arrive at the simulator as the standard's
 * PTZCmd bytes; the chair of a meeting adds the camera (添加监控画面) and a
 * participant's Chromium decodes its H.264 in a tile named after it, until the
 * chair's 移除 takes the tile away (the wall, still watching, keeps the live view);
 * a simulator that stops its keepalives turns grey on the map.
 */
import { freeSipPort } from '@beacon/common/test-ports';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { inboundStats } from '../src/browser.ts';
import { useE2e } from '../src/e2eFixture.ts';
import { GbDevice } from '../src/gb28181/GbDevice.ts';
import { h264Clip } from '../src/gb28181/h264Clip.ts';

const SIP_PORT = await freeSipPort();
const DEVICE = '34020000001320000001';
const CHANNEL = '34020000001310000001';
const REALM = '3402000000';

/** Calls `window.__beaconVideoWall[method](arg)` in the page; a rejection comes back as its error code. */
function wall(page: Page, method: string, arg: string): Promise<unknown> {
  return page.evaluate(
    async ([name, value]) => {
      const hooks = (globalThis as unknown as { __beaconVideoWall: Record<string, (v: string) => unknown> })
        .__beaconVideoWall;
      try {
        return JSON.parse(JSON.stringify((await hooks[name]?.(value)) ?? null));
      } catch (error) {
        return { rejected: (error as { code?: string }).code ?? String(error) };
      }
    },
    [method, arg] as const,
  );
}

describe('GB/T 28181 cameras', () => {
  const e2e = useE2e({
    beacon: {
      env: {
        BEACON_GB28181: 'on',
        BEACON_GB28181_PORT: String(SIP_PORT),
        BEACON_GB28181_HOST: '127.0.0.1',
        BEACON_GB28181_KEEPALIVE_S: '1',
      },
    },
  });
  let sim: GbDevice;
  let duty: Page;
  const key = `cam:${CHANNEL}`;
  afterAll(async () => {
    await sim?.close();
  });

  it('a registered camera shows on the map and decodes on the video wall', async () => {
    // The admin registers the device on the admin page (its password is the one the device is configured with).
    const admin = await e2e.openPage('admin', '#/admin/cameras');
    await admin.getByTestId('admin-cameras').waitFor({ timeout: 15_000 });
    await admin.getByTestId('camera-id').fill(DEVICE);
    await admin.getByTestId('camera-name').fill('鹿城镇 NVR');
    await admin.getByTestId('camera-password').fill('camera-secret-1');
    await admin.getByTestId('camera-add').click();
    await admin.getByText(DEVICE).waitFor({ timeout: 10_000 });
    await admin.close();
    sim = new GbDevice({
      deviceId: DEVICE,
      password: 'camera-secret-1',
      realm: REALM,
      serverId: '34020000002000000001',
      platform: { host: '127.0.0.1', port: SIP_PORT },
      channels: [{ id: CHANNEL, name: '鹿城镇路口', longitude: 101.545, latitude: 25.035 }],
      keepaliveMs: 1000,
      clip: await h264Clip({ seconds: 4, kbps: 2000 }),
      transport: 'tcp',
    });
    await sim.open();
    expect(await sim.register()).toBe(200);
    sim.startKeepalives();

    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    const marker = duty.locator(`[data-testid="camera-marker"][data-channel-id="${CHANNEL}"]`);
    await expect.poll(() => marker.getAttribute('data-online'), { timeout: 20_000 }).toBe('true');

    const clickedAt = Date.now();
    await marker.click();
    await duty.getByTestId(`pulled-video-${key}`).locator('video').waitFor({ timeout: 15_000 });
    await expect.poll(() => wall(duty, 'framesDecoded', key), { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
    console.log(`[gb28181] click to first decoded frame: ${Date.now() - clickedAt} ms`);
    const before = Number(await wall(duty, 'framesDecoded', key));
    await expect.poll(() => wall(duty, 'framesDecoded', key), { timeout: 15_000 }).toBeGreaterThan(before + 10);
    expect(sim.streaming).toBe(true);
    // The wall joining the camera's room made mediasoup ask for a key frame; the device got it over its TCP connection.
    await expect.poll(() => sim.keyFrameRequests.map((r) => r.channelId), { timeout: 10_000 }).toContain(CHANNEL);
    expect(sim.requestsIn.every((r) => r.over === 'tcp' && r.via === 'tcp')).toBe(true);
  });

  it('the panel PTZ buttons reach the camera as PTZCmd bytes', async () => {
    const right = duty.getByTestId(`camera-ptz-${CHANNEL}`).getByTestId('ptz-right');
    await right.hover();
    await duty.mouse.down();
    await expect.poll(() => sim.ptzCommands.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await duty.mouse.up();
    await expect.poll(() => sim.ptzCommands.length, { timeout: 10_000 }).toBe(2);
    // Pan right at speed 0x80, then stop: A5 0F 01 | 01 80 00 | 00 | checksum.
    expect(sim.ptzCommands).toEqual(['A50F010180000036', 'A50F0100000000B5']);
  });

  it('the chair adds the camera to a meeting: a participant decodes its tile, 移除 takes it away', async () => {
    const chair = await e2e.openTerminal('chair', 'city-weekly');
    const town = await e2e.openTerminal('lucheng', 'city-weekly');
    await chair.page.getByTestId('camera-add-open').click();
    const addedAt = Date.now();
    await chair.page.getByTestId(`camera-add-${CHANNEL}`).click();
    const tile = town.page.locator('[data-testid="tile"][data-device="camera"]');
    await tile.waitFor({ timeout: 15_000 });
    expect(await tile.getAttribute('data-display-name')).toBe('鹿城镇路口');
    // The camera tile's own inbound stream (matched by its track), and its codec.
    const cameraFrames = async () => {
      type Video = { srcObject: { getVideoTracks(): { id: string }[] } | null };
      const trackId = await tile
        .locator('video')
        .evaluate((v) => (v as unknown as Video).srcObject?.getVideoTracks()[0]?.id ?? null)
        .catch(() => null);
      return (await inboundStats(town.page)).find((s) => s.trackIdentifier === trackId)?.framesDecoded ?? 0;
    };
    await expect.poll(cameraFrames, { timeout: 30_000, interval: 200 }).toBeGreaterThan(0);
    console.log(`[gb28181] add to first decoded frame in a meeting tile: ${Date.now() - addedAt} ms`);
    const before = await cameraFrames();
    await expect.poll(cameraFrames, { timeout: 15_000 }).toBeGreaterThan(before + 10);
    const codecs = await town.page.evaluate(async () => {
      type Hooks = { __beacon?: { recvTransportStats(): Promise<Record<string, unknown>[]> } };
      const stats = (await (globalThis as unknown as Hooks).__beacon?.recvTransportStats()) ?? [];
      return stats.filter((st) => st.type === 'codec').map((st) => String(st.mimeType));
    });
    expect(codecs).toContain('video/H264');

    const tab = chair.page.getByTestId('participants-tab');
    if ((await tab.count()) > 0) await tab.click();
    await chair.page.getByTestId(`camera-remove-${CHANNEL}`).click();
    await expect.poll(() => tile.count(), { timeout: 15_000 }).toBe(0);
    // The wall's panel still shows the camera: its live view goes on.
    expect(sim.streaming).toBe(true);
    await town.page.close();
    await chair.page.close();
  });

  it('a camera that stops its keepalives turns offline on the map', async () => {
    sim.stopKeepalives();
    const marker = duty.locator(`[data-testid="camera-marker"][data-channel-id="${CHANNEL}"]`);
    await expect.poll(() => marker.getAttribute('data-online'), { timeout: 20_000 }).toBe('false');
    // Its live view ended with it: the camera's producer left the room, so the panel has no video track.
    await expect.poll(() => wall(duty, 'trackKinds', key), { timeout: 20_000 }).toEqual([]);
  });
});
