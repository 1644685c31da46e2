/**
 * A rain gauge in the field, end to end: Beacon starts its own mosquitto (BEACON_MQTT=on), the admin registers
 * the gauge, the gauge publishes its readings over MQTT with the `mqtt` package, and once the rainfall within
 * 3 hours passes the yellow threshold the duty officer's Chromium shows the station alarm in the inbox and the
 * system's draft warning (drafted, not issued); the map's station badge turns yellow and opens the chart.
 */
import { freePortBlock } from '@beacon/common/test-ports';
import type { StationStateView, StationWithToken } from '@beacon/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useE2e } from '../src/e2eFixture.ts';
import { apiJson, loginApi } from '../src/signaling.ts';

const mqttPort = await freePortBlock(2);
const GAUGE = {
  id: 'RG-zixi-e2e',
  name: '紫溪大村雨量站',
  kind: 'rain',
  lat: 25.0,
  lon: 101.42,
  townshipId: 'zixi',
  ownerTownshipId: 'zixi',
  thresholds: { rain: { blue: { h1: 30 }, yellow: { h3: 50 }, red: { h3: 150 } } },
  intervalSeconds: 300,
};

describe('a rain gauge over MQTT raises a draft warning at the duty desk', () => {
  const e2e = useE2e({
    beacon: {
      env: { BEACON_MQTT: 'on', BEACON_MQTT_PORT: String(mqttPort), BEACON_MQTT_TLS_PORT: String(mqttPort + 1) },
    },
  });
  let duty: Page;
  let gauge: MqttClient;

  beforeAll(async () => {
    const { token } = await loginApi(e2e.url, 'admin');
    const created = await apiJson<StationWithToken>(e2e.url, token, '/api/v1/admin/stations', {
      method: 'POST',
      body: JSON.stringify(GAUGE),
    });
    gauge = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: GAUGE.id,
      password: created.token,
      reconnectPeriod: 0,
    });
    e2e.own(gauge, (c) => c.endAsync(true));
    duty = await e2e.openPage('duty', '#/command');
    await duty.getByTestId('command-room').waitFor({ timeout: 15_000 });
    await duty.getByTestId('command-tab-inbox').click();
    await duty.getByTestId('inbox').waitFor({ timeout: 15_000 });
  });

  it('shows the alarm and the system’s draft once 3 h rainfall passes 50 mm, and charts the station', async () => {
    const now = Date.now();
    const reading = (minutesAgo: number, mm: number) => ({
      at: new Date(now - minutesAgo * 60_000).toISOString(),
      value: mm,
    });
    const topic = `beacon/stations/${GAUGE.id}/readings`;
    // 2 h of steady rain, 8 × 5 mm = 40 mm: below yellow.
    await gauge.publishAsync(
      topic,
      JSON.stringify({ readings: [120, 105, 90, 75, 60, 45, 30, 15].map((m) => reading(m, 5)) }),
      {
        qos: 1,
      },
    );
    // Stored and evaluated (below every colour) before the next reading goes out.
    const { token } = await loginApi(e2e.url, 'duty');
    const state = async () =>
      (await apiJson<StationStateView[]>(e2e.url, token, '/api/v1/stations/states')).find(
        (s) => s.stationId === GAUGE.id,
      );
    await expect.poll(async () => (await state())?.accumulated.h3, { timeout: 15_000 }).toBe(40);
    expect((await state())?.level).toBeNull();
    expect(await duty.getByTestId('station-alarm').count()).toBe(0);
    const marker = duty.locator(`[data-testid="station-marker"][data-station-id="${GAUGE.id}"]`);

    // The next reading: 12 mm → 52 mm within 3 h.
    await gauge.publishAsync(topic, JSON.stringify(reading(0, 12)), { qos: 1 });
    const alarm = duty.locator('[data-testid="station-alarm"][data-kind="draft"]');
    await alarm.waitFor({ timeout: 15_000 });
    expect(await alarm.getAttribute('data-level')).toBe('yellow');
    await expect.poll(() => marker.getAttribute('data-level'), { timeout: 15_000 }).toBe('yellow');

    await alarm.getByTestId('station-alarm-open').click();
    const detail = duty.getByTestId('warning-detail');
    await detail.waitFor({ timeout: 10_000 });
    const text = await detail.textContent();
    expect(text).toContain('紫溪大村雨量站');
    expect(text).toContain('52');

    await marker.click();
    const card = duty.getByTestId('station-card');
    await card.waitFor({ timeout: 10_000 });
    await expect
      .poll(() => card.getByTestId('station-chart').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('ready');
    expect(await card.locator('canvas').count()).toBeGreaterThan(0);
  });
});
