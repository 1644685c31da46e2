/**
 * Security headers on socket.io's own HTTP responses (the long-polling
 * transport's GETs and POSTs, the websocket upgrade), which never pass
 * through express and so miss helmet (`http/securityHeaders.ts`). They are
 * data, never a page: nothing may load from them (`default-src 'none'`),
 * frame them, sniff them into HTML, or read them from another origin.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ENGINE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** A listener for engine.io's `headers` event: adds the headers to every response it writes. */
export function addEngineSecurityHeaders(headers: Record<string, string>, _req: IncomingMessage): void {
  Object.assign(headers, ENGINE_SECURITY_HEADERS);
}

/** An HTTP server `request` listener: the headers on every response under /socket.io/, errors included. */
export function addSocketPathSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  if (!req.url?.startsWith('/socket.io/')) return;
  for (const [name, value] of Object.entries(ENGINE_SECURITY_HEADERS)) res.setHeader(name, value);
}
