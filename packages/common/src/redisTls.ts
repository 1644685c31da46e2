/**
 * TLS to Redis (`rediss://`) with a private CA: a city's Redis on another
 * machine is reached over TLS, its certificate issued by the city's own CA,
 * which Node does not trust by default. The CA (PEM) goes into the client's
 * socket options; with it the server's certificate is verified against that
 * CA and the URL's host, as for any TLS client. Every Redis client Beacon
 * makes (signaling's cluster clients, a media node's registration) takes its
 * socket options from here.
 */
export type RedisTlsOptions = { tls: true; ca?: string } | { tls?: undefined };

/**
 * Socket options for `url`: TLS for rediss:// (with `ca` when given), none for redis://. A CA with a
 * redis:// URL is a mistake (the CA would silently go unused) and throws.
 */
export function redisTlsOptions(url: string, ca: string | null): RedisTlsOptions {
  const secure = url.startsWith('rediss://');
  if (!secure && ca !== null) throw new TypeError('a Redis CA was given but the URL is not rediss://');
  if (!secure) return {};
  return ca === null ? { tls: true } : { tls: true, ca };
}
