/**
 * The ports a firewall between the townships and this server must let
 * through, printed at start (and listed in the README). Phone and TURN lines
 * appear only when those parts run. Reads the gateway's own variables with
 * the gateway's defaults (sip-gateway/src/config.ts) — the gateway validates
 * them; here they are only shown.
 */
import { isLoopbackHost } from '@beacon/common';
import type { Config } from '../config.ts';

export interface PortLine {
  what: string;
  protocol: 'TCP' | 'UDP' | 'UDP+TCP';
  ports: string;
}

export interface OpenPortsInput {
  config: Pick<Config, 'sip' | 'turn' | 'media' | 'mediaNodes'> & Partial<Pick<Config, 'stations'>>;
  httpsPort: number;
  httpPort: number | null;
  tls: boolean;
  env?: NodeJS.ProcessEnv;
}

export function portsToOpen({ config, httpsPort, httpPort, tls, env = process.env }: OpenPortsInput): PortLine[] {
  const lines: PortLine[] = [
    {
      what: tls ? 'console, API, socket.io (HTTPS)' : 'console, API, socket.io (HTTP)',
      protocol: 'TCP',
      ports: `${httpsPort}`,
    },
  ];
  if (httpPort !== null)
    lines.push({ what: 'redirect to HTTPS, CA certificate, help', protocol: 'TCP', ports: `${httpPort}` });
  const { rtcPortBase, numWorkers } = config.media;
  if (config.mediaNodes) {
    // Separate media nodes: browsers send media to them, not here (see each node's MEDIA_NODE_RTC_PORT_BASE).
    lines.push({
      what: 'WebRTC media: on the media nodes (MEDIA_NODE_RTC_PORT_BASE + worker)',
      protocol: 'UDP+TCP',
      ports: '-',
    });
  } else {
    lines.push({
      what: 'WebRTC media (one port per media worker)',
      protocol: 'UDP+TCP',
      ports: numWorkers > 1 ? `${rtcPortBase}-${rtcPortBase + numWorkers - 1}` : `${rtcPortBase}`,
    });
  }
  if (config.sip) {
    const sipPort = (env.BEACON_SIP_LISTEN ?? '0.0.0.0:5060').split(':').pop();
    lines.push({ what: 'SIP desk phones (Kamailio)', protocol: 'UDP+TCP', ports: `${sipPort}` });
    lines.push({
      what: 'phone audio (RTP to the SIP gateway)',
      protocol: 'UDP',
      ports: `${env.BEACON_SIP_RTP_PORT_MIN ?? 42000}-${env.BEACON_SIP_RTP_PORT_MAX ?? 42999}`,
    });
  }
  if (config.turn.enabled) {
    lines.push({ what: 'TURN (terminals behind NAT/firewalls)', protocol: 'UDP+TCP', ports: `${config.turn.port}` });
    if (config.turn.tlsPort !== null) {
      lines.push({ what: 'TURN over TLS (turns:)', protocol: 'TCP', ports: `${config.turn.tlsPort}` });
    }
    lines.push({
      what: 'TURN relay',
      protocol: 'UDP',
      ports: `${config.turn.relayPorts.min}-${config.turn.relayPorts.max}`,
    });
  }
  const mqtt = config.stations?.mqtt;
  if (mqtt?.tls) {
    lines.push({
      what: 'MQTT over TLS for monitoring stations (mosquitto)',
      protocol: 'TCP',
      ports: `${mqtt.tls.port}`,
    });
  }
  // The plain port is the firewall's business only when it is offered beyond loopback.
  if (mqtt && !isLoopbackHost(mqtt.host ?? '127.0.0.1')) {
    lines.push({ what: 'plain MQTT (passwords in clear)', protocol: 'TCP', ports: `${mqtt.port}` });
  }
  return lines;
}

export function formatPorts(lines: PortLine[]): string {
  const width = Math.max(...lines.map((line) => line.ports.length));
  return lines.map((line) => `${line.protocol.padEnd(7)} ${line.ports.padEnd(width)}  ${line.what}`).join('\n');
}
