import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { DEFAULT_DUTY_SHIFTS } from './duty/DutyOptions.ts';
import { DEFAULT_LIMITS } from './limits/LimitsOptions.ts';
import { DEFAULT_REPORT_DEADLINES } from './reports/ReportOptions.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      jwtSecret: undefined,
      jwtTtlSeconds: 43_200,
      tls: { mode: 'auto', certFile: null, keyFile: null, extraNames: [], caPermitted: [] },
      httpPort: 3080,
      turn: {
        enabled: false,
        port: 3478,
        tlsPort: 5349,
        secret: null,
        ttlSeconds: 43_200,
        relayPorts: { min: 49_160, max: 49_999 },
      },
      databaseUrl: null,
      sms: null,
      gb28181: null,
      mediaNodes: null,
      cluster: null,
      demo: false,
      demoPassword: 'beacon2026',
      consoleDist: path.resolve(import.meta.dirname, '../../console/dist'),
      reconnectGraceMs: 30_000,
      sip: true,
      map: { tileUrl: null, tileAttribution: null },
      sipRealm: 'beacon',
      upstream: null,
      escalationTickMs: 15_000,
      duty: { shifts: DEFAULT_DUTY_SHIFTS, timeZone: 'Asia/Shanghai' },
      dutyCalls: { number: '8000', ringMs: 30_000 },
      reports: { deadlines: DEFAULT_REPORT_DEADLINES, maxPhotoBytes: 10 * 1024 * 1024, tickMs: 15_000 },
      checklistTickMs: 15_000,
      overdueCallRepeatMs: 0,
      loudspeakers: { repeat: 2 },
      stations: { rawDays: 30, hourlyDays: 1825, tickMs: 15_000, mqtt: null },
      meetings: { tickMs: 15_000, maxMaterialBytes: 50 * 1024 * 1024 },
      metrics: { token: null, trustLoopback: true },
      signIn: { lockAfter: 15, lockMs: 900_000 },
      limits: DEFAULT_LIMITS,
      logLevel: 'info',
      media: {
        numWorkers: os.availableParallelism(),
        listenIp: '0.0.0.0',
        announcedAddress: undefined,
        rtcPortBase: 40_000,
        workerLogLevel: 'warn',
      },
      sipTapAllow: null,
      sipRtpPorts: { min: 42_000, max: 42_999 },
      redisCaFile: null,
    });
    expect(path.isAbsolute(config.consoleDist)).toBe(true);
  });

  it('reads overrides and treats empty strings as unset', () => {
    const config = loadConfig({
      BEACON_PORT: '0',
      BEACON_HOST: '127.0.0.1',
      BEACON_DATA_DIR: '/var/lib/beacon',
      BEACON_JWT_SECRET: 'x'.repeat(32),
      BEACON_JWT_TTL_SECONDS: '60',
      BEACON_TLS: 'files',
      BEACON_TLS_CERT: '/etc/beacon/server.crt',
      BEACON_TLS_KEY: '/etc/beacon/server.key',
      BEACON_TLS_NAMES: ' beacon.cx.gov.cn, 10.0.0.5 ,',
      BEACON_HTTP_PORT: 'off',
      BEACON_TURN: 'on',
      BEACON_TURN_PORT: '3479',
      BEACON_TURN_TLS_PORT: '443',
      BEACON_TURN_SECRET: 't'.repeat(40),
      BEACON_TURN_TTL_SECONDS: '600',
      BEACON_TURN_RELAY_PORTS: '50000-50100',
      DATABASE_URL: 'postgres://beacon:pw@db.cx.example:5432/beacon',
      REDIS_URL: 'redis://redis.cx.example:6379',
      BEACON_NODE_ID: 'city-a',
      MEDIA_NODES: 'http://10.0.0.21:4100, http://10.0.0.22:4100',
      MEDIA_NODE_KEY: 'k'.repeat(32),
      MEDIA_PIPE_SRTP: 'on',
      BEACON_REGIONS: 'lucheng=city, donggua=county',
      BEACON_DEMO: 'on',
      BEACON_DEMO_PASSWORD: 'pw',
      BEACON_CONSOLE_DIST: '/srv/console',
      BEACON_RECONNECT_GRACE_MS: '1500',
      BEACON_SIP: 'off',
      BEACON_MAP_TILE_URL: 'https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}',
      BEACON_MAP_TILE_ATTRIBUTION: '天地图',
      BEACON_SIP_REALM: 'sip.cx.example',
      BEACON_MEETING_TICK_MS: '500',
      BEACON_MEETING_MAX_MATERIAL_MB: '5',
      LOG_LEVEL: 'silent',
      MEDIA_WORKERS: '3',
      MEDIA_LISTEN_IP: '10.0.0.5',
      MEDIA_ANNOUNCED_ADDRESS: '203.0.113.7',
      MEDIA_RTC_PORT_BASE: '45000',
      MEDIA_LOG_LEVEL: 'debug',
      MEDIA_UNRELATED: 'ignored',
      BEACON_MQTT: 'on',
      BEACON_MQTT_PORT: '1884',
      BEACON_MQTT_TLS_PORT: '8884',
      BEACON_MQTT_CLIENT_CERT: 'on',
      BEACON_STATION_RAW_DAYS: '7',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/var/lib/beacon',
      jwtSecret: 'x'.repeat(32),
      jwtTtlSeconds: 60,
      tls: {
        mode: 'files',
        certFile: '/etc/beacon/server.crt',
        keyFile: '/etc/beacon/server.key',
        extraNames: ['beacon.cx.gov.cn', '10.0.0.5'],
        caPermitted: [],
      },
      httpPort: null,
      turn: {
        enabled: true,
        port: 3479,
        tlsPort: 443,
        secret: 't'.repeat(40),
        ttlSeconds: 600,
        relayPorts: { min: 50_000, max: 50_100 },
      },
      databaseUrl: 'postgres://beacon:pw@db.cx.example:5432/beacon',
      sms: null,
      gb28181: null,
      mediaNodes: {
        urls: ['http://10.0.0.21:4100', 'http://10.0.0.22:4100'],
        discover: false,
        key: 'k'.repeat(32),
        allow: [
          { kind: 'IP', address: '127.0.0.0', prefix: 8 },
          { kind: 'IP', address: '::1', prefix: 128 },
          { kind: 'DNS', domain: 'localhost' },
        ],
        pipeSrtp: true,
        regions: { lucheng: 'city', donggua: 'county' },
      },
      cluster: { redisUrl: 'redis://redis.cx.example:6379', nodeId: 'city-a', secret: null },
      demo: true,
      demoPassword: 'pw',
      consoleDist: '/srv/console',
      reconnectGraceMs: 1500,
      sip: false,
      map: { tileUrl: 'https://t0.tianditu.gov.cn/vec_w/wmts?tk=KEY&x={x}&y={y}&l={z}', tileAttribution: '天地图' },
      sipRealm: 'sip.cx.example',
      upstream: null,
      escalationTickMs: 15_000,
      duty: { shifts: DEFAULT_DUTY_SHIFTS, timeZone: 'Asia/Shanghai' },
      dutyCalls: { number: '8000', ringMs: 30_000 },
      reports: { deadlines: DEFAULT_REPORT_DEADLINES, maxPhotoBytes: 10 * 1024 * 1024, tickMs: 15_000 },
      checklistTickMs: 15_000,
      overdueCallRepeatMs: 0,
      loudspeakers: { repeat: 2 },
      stations: {
        rawDays: 7,
        hourlyDays: 1825,
        tickMs: 15_000,
        mqtt: {
          port: 1884,
          host: '127.0.0.1',
          maxPacketBytes: 64 * 1024,
          tls: { port: 8884, host: null, requireClientCert: true, caPermitted: [] },
        },
      },
      meetings: { tickMs: 500, maxMaterialBytes: 5 * 1024 * 1024 },
      metrics: { token: null, trustLoopback: true },
      signIn: { lockAfter: 15, lockMs: 900_000 },
      limits: DEFAULT_LIMITS,
      logLevel: 'silent',
      media: {
        numWorkers: 3,
        listenIp: '10.0.0.5',
        announcedAddress: '203.0.113.7',
        rtcPortBase: 45_000,
        workerLogLevel: 'debug',
      },
      sipTapAllow: null,
      sipRtpPorts: { min: 42_000, max: 42_999 },
      redisCaFile: null,
    });
    expect(loadConfig({ BEACON_PORT: '', MEDIA_ANNOUNCED_ADDRESS: '' }).port).toBe(3000);
    // A realm goes into digest challenges and HA1 strings: no spaces or colons.
    expect(() => loadConfig({ BEACON_SIP_REALM: 'my realm' })).toThrow(/BEACON_SIP_REALM/);
    expect(() => loadConfig({ BEACON_DEMO: 'yes' })).toThrow(/BEACON_DEMO/);
    expect(() => loadConfig({ BEACON_SIP_REALM: 'a:b' })).toThrow(/BEACON_SIP_REALM/);
    // With TLS off the main port is plain HTTP: no second HTTP port.
    expect(loadConfig({ BEACON_TLS: 'off' }).httpPort).toBeNull();
  });

  it('reads the upstream conference: off by default, a plain SIP URI and a digit PIN, a PIN needs the URI', () => {
    expect(loadConfig({}).upstream).toBeNull();
    expect(
      loadConfig({ BEACON_UPSTREAM_URI: 'sip:6001@10.53.0.8:5060', BEACON_UPSTREAM_PIN: '2468' }).upstream,
    ).toEqual({ uri: 'sip:6001@10.53.0.8:5060', pin: '2468' });
    expect(loadConfig({ BEACON_UPSTREAM_URI: 'sip:8800@mcu.yn.gov' }).upstream).toEqual({
      uri: 'sip:8800@mcu.yn.gov',
      pin: null,
    });
    // Parameters, headers or a quote could rewrite the INVITE or Kamailio's routing: refused.
    for (const uri of [
      '6001@10.53.0.8',
      'sip:6001@10.53.0.8;transport=tcp',
      'sip:6001@host?X=1',
      'sip:"a"@h',
      'tel:6001',
    ]) {
      expect(() => loadConfig({ BEACON_UPSTREAM_URI: uri }), uri).toThrow(/BEACON_UPSTREAM_URI/);
    }
    expect(() => loadConfig({ BEACON_UPSTREAM_URI: 'sip:6001@h', BEACON_UPSTREAM_PIN: '12#4' })).toThrow(
      /BEACON_UPSTREAM_PIN/,
    );
    expect(() => loadConfig({ BEACON_UPSTREAM_PIN: '1234' })).toThrow(/BEACON_UPSTREAM_PIN: needs BEACON_UPSTREAM_URI/);
  });

  it('reads the tap allow-list and the Redis CA; a CA without rediss:// is refused', () => {
    expect(loadConfig({ BEACON_SIP_TAP_ALLOW: '10.20.0.5, 10.30.0.0/24' }).sipTapAllow).toEqual([
      '10.20.0.5',
      '10.30.0.0/24',
    ]);
    expect(() => loadConfig({ BEACON_SIP_TAP_ALLOW: 'gateway.cx.gov' })).toThrow(/BEACON_SIP_TAP_ALLOW/);
    // The gateway's RTP ports, read from the variables the gateway reads.
    expect(loadConfig({ BEACON_SIP_RTP_PORT_MIN: '30000', BEACON_SIP_RTP_PORT_MAX: '30099' }).sipRtpPorts).toEqual({
      min: 30_000,
      max: 30_099,
    });
    expect(() => loadConfig({ BEACON_SIP_RTP_PORT_MIN: '30100', BEACON_SIP_RTP_PORT_MAX: '30099' })).toThrow(
      /BEACON_SIP_RTP_PORT_MIN/,
    );
    expect(
      loadConfig({ REDIS_URL: 'rediss://beacon:pw@redis.cx.gov:6380', BEACON_REDIS_CA: '/etc/beacon/redis-ca.crt' })
        .redisCaFile,
    ).toBe('/etc/beacon/redis-ca.crt');
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', BEACON_REDIS_CA: '/x.crt' })).toThrow(
      /BEACON_REDIS_CA: needs a rediss:\/\/ REDIS_URL/,
    );
  });

  it('checks addresses, TLS files and TURN settings', () => {
    expect(() => loadConfig({ BEACON_HOST: 'localhost' })).toThrow(/BEACON_HOST: an IPv4 or IPv6 address/);
    expect(() => loadConfig({ MEDIA_LISTEN_IP: '10.0.0.300' })).toThrow(/MEDIA_LISTEN_IP/);
    expect(loadConfig({ MEDIA_ANNOUNCED_ADDRESS: 'media.cx.gov.cn' }).media.announcedAddress).toBe('media.cx.gov.cn');
    expect(() => loadConfig({ MEDIA_ANNOUNCED_ADDRESS: 'bad name!' })).toThrow(/MEDIA_ANNOUNCED_ADDRESS/);
    expect(() => loadConfig({ BEACON_TLS_NAMES: 'ok.example,not ok' })).toThrow(/BEACON_TLS_NAMES/);
    expect(() => loadConfig({ BEACON_TLS: 'files' })).toThrow(
      /BEACON_TLS_CERT: required[\s\S]*BEACON_TLS_KEY: required/,
    );
    expect(() => loadConfig({ BEACON_TURN_RELAY_PORTS: '50000-40000' })).toThrow(/BEACON_TURN_RELAY_PORTS/);
    expect(() => loadConfig({ BEACON_TURN_PORT: '0' })).toThrow(/BEACON_TURN_PORT/);
    expect(() => loadConfig({ BEACON_TURN_TLS_PORT: '3478' })).toThrow(/BEACON_TURN_TLS_PORT: must differ/);
    expect(loadConfig({ BEACON_TURN_TLS_PORT: 'off' }).turn.tlsPort).toBeNull();
    // No certificate to serve TURN over TLS with when Beacon itself runs without TLS.
    expect(loadConfig({ BEACON_TLS: 'off' }).turn.tlsPort).toBeNull();
    expect(() => loadConfig({ MEDIA_NODES: 'http://10.0.0.21:4100' })).toThrow(
      /MEDIA_NODE_KEY: required with MEDIA_NODES/,
    );
    expect(() => loadConfig({ BEACON_REGIONS: 'lucheng' })).toThrow(/BEACON_REGIONS/);
    expect(() => loadConfig({ MEDIA_NODES: 'discover', MEDIA_NODE_KEY: 'k'.repeat(32) })).toThrow(
      /discover needs REDIS_URL/,
    );
    expect(
      loadConfig({ MEDIA_NODES: 'discover', MEDIA_NODE_KEY: 'k'.repeat(32), REDIS_URL: 'redis://r:6379' }).mediaNodes,
    ).toMatchObject({ urls: [], discover: true });
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db', BEACON_TURN_SECRET: 'short-hunter3' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('BEACON_TURN_SECRET');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('hunter3');
  });

  it('reads MQTT: plain on loopback, TLS on 8883 for the stations, each can be moved or TLS turned off', () => {
    expect(loadConfig({ BEACON_MQTT: 'on' }).stations.mqtt).toEqual({
      port: 1883,
      host: '127.0.0.1',
      maxPacketBytes: 64 * 1024,
      tls: { port: 8883, host: null, requireClientCert: false, caPermitted: [] },
    });
    const moved = loadConfig({
      BEACON_MQTT: 'on',
      BEACON_MQTT_HOST: '0.0.0.0',
      BEACON_MQTT_TLS_HOST: '10.0.0.5',
      BEACON_TLS_CA_PERMIT: 'cx.gov',
    }).stations.mqtt;
    expect(moved).toMatchObject({ host: '0.0.0.0', tls: { host: '10.0.0.5', caPermitted: ['cx.gov'] } });
    expect(loadConfig({ BEACON_MQTT: 'on', BEACON_MQTT_TLS_PORT: 'off' }).stations.mqtt?.tls).toBeNull();
    expect(() => loadConfig({ BEACON_MQTT_TLS_PORT: '1883' })).toThrow(/BEACON_MQTT_TLS_PORT: must differ/);
    expect(() => loadConfig({ BEACON_MQTT_HOST: 'mqtt.example' })).toThrow(/BEACON_MQTT_HOST/);
    expect(() => loadConfig({ BEACON_MQTT_TLS_PORT: '0' })).toThrow(/BEACON_MQTT_TLS_PORT/);
  });

  it('takes a metrics scrape token and turns loopback trust off; a short token is refused unechoed', () => {
    const token = 'scrape-'.repeat(6);
    expect(loadConfig({ BEACON_METRICS_TOKEN: token, BEACON_METRICS_LOOPBACK: 'off' }).metrics).toEqual({
      token,
      trustLoopback: false,
    });
    expect(() => loadConfig({ BEACON_METRICS_TOKEN: 'short-scrape' })).toThrow(
      /BEACON_METRICS_TOKEN: must be at least 32/,
    );
    expect(() => loadConfig({ BEACON_METRICS_TOKEN: 'short-scrape' })).not.toThrow(/short-scrape/);
    expect(() => loadConfig({ BEACON_METRICS_LOOPBACK: 'maybe' })).toThrow(/BEACON_METRICS_LOOPBACK/);
  });

  it('lists every bad variable in one error, without leaking the secret', () => {
    let error: unknown;
    try {
      loadConfig({
        BEACON_PORT: 'eighty',
        BEACON_JWT_SECRET: 'too-short-secret',
        LOG_LEVEL: 'loud',
        MEDIA_WORKERS: '0',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid configuration:/);
    for (const name of ['BEACON_PORT', 'BEACON_JWT_SECRET', 'LOG_LEVEL', 'MEDIA_WORKERS']) {
      expect(message).toContain(name);
    }
    expect(message).toContain('"eighty"');
    expect(message).not.toContain('too-short-secret');
    expect(message).not.toContain('BEACON_HOST');
  });
  it('reads the flood limits: perSecond:burst or off per event class, and the queue bounds', () => {
    expect(DEFAULT_LIMITS).toEqual({
      rates: {
        media: { perSecond: 100, burst: 300 },
        control: { perSecond: 20, burst: 60 },
        command: { perSecond: 10, burst: 50 },
        chat: { perSecond: 1, burst: 5 },
      },
      userFactor: 2,
      queueMax: 100,
      outboxMax: 5000,
      chatPerMeeting: 5000,
    });
    const config = loadConfig({
      BEACON_RATE_MEDIA: '50:150',
      BEACON_RATE_CONTROL: 'off',
      BEACON_RATE_COMMAND: '0.5:3',
      BEACON_RATE_USER_FACTOR: '3',
      BEACON_SOCKET_QUEUE_MAX: '20',
      BEACON_SOCKET_OUTBOX_MAX: '1000',
      BEACON_CHAT_MAX_PER_MEETING: '100',
    });
    expect(config.limits).toEqual({
      rates: {
        media: { perSecond: 50, burst: 150 },
        control: null,
        command: { perSecond: 0.5, burst: 3 },
        chat: { perSecond: 1, burst: 5 },
      },
      userFactor: 3,
      queueMax: 20,
      outboxMax: 1000,
      chatPerMeeting: 100,
    });
    for (const bad of ['100', '0:10', '10:0', 'fast', '-1:5']) {
      expect(() => loadConfig({ BEACON_RATE_CHAT: bad }), bad).toThrow(/BEACON_RATE_CHAT/);
    }
    expect(() => loadConfig({ BEACON_SOCKET_QUEUE_MAX: '0' })).toThrow(/BEACON_SOCKET_QUEUE_MAX/);
  });

  it('reads SMS: the SMSC and the sender are required when on, the SMPP password is never echoed', () => {
    const sms = loadConfig({
      BEACON_SMS: 'on',
      BEACON_SMSC: 'smpp://cx:p4ss@10.1.2.3:2775',
      BEACON_SMS_SENDER: '106900001234',
      BEACON_SMS_RATE_PER_NUMBER: '10:2',
    }).sms;
    expect(sms).toMatchObject({
      smsc: { kind: 'smpp', host: '10.1.2.3', port: 2775, systemId: 'cx', password: 'p4ss' },
      sender: '106900001234',
      portBase: 13_100,
      signature: '应急预警',
      maxParts: 5,
      perNumber: { perHour: 10, burst: 2 },
    });
    expect(() => loadConfig({ BEACON_SMS: 'on' })).toThrow(/BEACON_SMSC[\s\S]*BEACON_SMS_SENDER/);
    expect(() => loadConfig({ BEACON_SMSC: 'smpp://cx:p4ss@host' })).toThrow(/BEACON_SMSC/);
    expect(() => loadConfig({ BEACON_SMSC: 'smpp://cx:p4ss@host' })).not.toThrow(/p4ss/);
    expect(loadConfig({ BEACON_SMSC: 'fake' }).sms).toBeNull();
  });
});
