import { describe, expect, it } from 'vitest';
import { gatewayEnvironment } from './SipGatewayProcess.ts';

describe('the SIP gateway child environment', () => {
  it("keeps the gateway's settings and what Node needs, and none of signaling's secrets", () => {
    const env = gatewayEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/beacon',
      LANG: 'C.UTF-8',
      NODE_OPTIONS: '--conditions=beacon-source',
      LOG_LEVEL: 'info',
      BEACON_SIP: 'on',
      BEACON_SIP_LISTEN: '0.0.0.0:5060',
      BEACON_SIP_PIN_CALLER_FAILURES: '5',
      BEACON_PROMPT_DIR: '/var/cache/beacon/prompts',
      BEACON_JWT_SECRET: 'x'.repeat(40),
      BEACON_TURN_SECRET: 'turn',
      BEACON_TLS_KEY: '/etc/beacon/key.pem',
      BEACON_DEMO_PASSWORD: 'beacon2026',
      DATABASE_URL: 'postgres://beacon:secret@db/beacon',
      MEDIA_NODE_KEY: 'k'.repeat(40),
      BEACON_GATEWAY_TOKEN: 'eyJ...',
      BEACON_REDIS_URL: 'redis://:pw@redis',
    });
    expect(Object.keys(env).sort()).toEqual([
      'BEACON_PROMPT_DIR',
      'BEACON_SIP',
      'BEACON_SIP_LISTEN',
      'BEACON_SIP_PIN_CALLER_FAILURES',
      'HOME',
      'LANG',
      'LOG_LEVEL',
      'NODE_OPTIONS',
      'PATH',
    ]);
  });
});
