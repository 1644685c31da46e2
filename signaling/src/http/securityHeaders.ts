/**
 * Security headers on every HTTP response (API, console files, help pages):
 * a Content-Security-Policy, no framing, no MIME sniffing, no Referer.
 *
 * The console is a Vite build: module scripts and stylesheets from its own
 * origin, nothing inline. What it needs beyond `'self'`:
 *   img-src    data: and blob: (Leaflet's marker and layer images, snapshots
 *              of a video panel), plus the optional online tile server;
 *   media-src  blob: and mediastream: (WebRTC tracks, recordings played back);
 *   style-src-attr 'unsafe-inline' — style attributes only (a library's
 *              markup may carry them; Vue, Element Plus and Leaflet set styles
 *              through the CSSOM, which CSP does not govern). Style elements
 *              stay 'self': an injected <style> could read attributes out of
 *              the page with selectors, an attribute cannot;
 *   connect-src the API and socket.io on the same host, over ws:/wss: too
 *              (older Chromium builds do not count ws: as 'self').
 * helmet (maintained, with the header details right) sends them; every header
 * is configured here rather than taken from its defaults, so an upgrade of
 * helmet cannot silently change what Beacon sends. HSTS stays with
 * createApp: it is sent only with an admin's certificate.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface SecurityHeaderOptions {
  /** The online map tile URL template (BEACON_MAP_TILE_URL), or null: its origin may serve images. */
  tileUrl?: string | null;
  /** Origins the page may fetch from besides its own (the plain-HTTP help page probes the HTTPS origin). */
  connectTo?: (req: IncomingMessage) => string[];
}

/** Host header → `host[:port]` safe to echo into a header (an IP, [IPv6] or DNS name), else null. */
const SAFE_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?$/;

/**
 * The CSP source of a tile URL template's origin: `https://t{s}.tianditu.gov.cn/…` → `https://*.tianditu.gov.cn`
 * (a placeholder label becomes the wildcard). Null when the template is not an http(s) URL.
 */
export function tileSource(template: string): string | null {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(template.trim());
  if (!match) return null;
  const [, scheme, authority] = match as unknown as [string, string, string];
  const labels = authority.split('.').map((label) => (/[{}]/.test(label) ? '*' : label));
  // Only a leading wildcard is valid in CSP; a placeholder anywhere else widens to the registrable part after it.
  const lastWild = labels.lastIndexOf('*');
  const host = lastWild >= 0 ? ['*', ...labels.slice(lastWild + 1)].join('.') : labels.join('.');
  if (!/^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) || host === '*.') return null;
  return `${scheme.toLowerCase()}://${host}`;
}

/** `ws://host wss://host` for the Host the request came to (nothing for a malformed Host). */
function sameHostSockets(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  return SAFE_HOST.test(host) ? `ws://${host} wss://${host}` : '';
}

/**
 * Paths another origin may read without CORS: /healthz, which the plain-HTTP
 * help page fetches (no-cors) from the HTTPS origin to learn whether this
 * terminal trusts the certificate.
 */
const CROSS_ORIGIN_READABLE: ReadonlySet<string> = new Set(['/healthz']);

export function securityHeaders(opts: SecurityHeaderOptions = {}): RequestHandler {
  const headers = helmetFor(opts);
  return (req, res, next) => {
    headers(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      if (CROSS_ORIGIN_READABLE.has(req.path)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      // Browsers ignore these on plain HTTP and say so as a console error on every page: sent over TLS only.
      if (!req.secure) {
        res.removeHeader('Cross-Origin-Opener-Policy');
        res.removeHeader('Origin-Agent-Cluster');
      }
      next();
    });
  };
}

function helmetFor(opts: SecurityHeaderOptions) {
  const tiles = opts.tileUrl ? tileSource(opts.tileUrl) : null;
  const connectTo = opts.connectTo;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'style-src-attr': ["'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:', ...(tiles ? [tiles] : [])],
        'media-src': ["'self'", 'blob:', 'mediastream:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': [
          "'self'",
          sameHostSockets,
          ...(connectTo ? [(req: IncomingMessage) => connectTo(req).join(' ')] : []),
        ],
        'worker-src': ["'self'", 'blob:'],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    originAgentCluster: true,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: { allow: false },
    xDownloadOptions: true,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
    xPoweredBy: true,
    xXssProtection: true,
  });
}
