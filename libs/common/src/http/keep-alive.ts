import type { Server } from 'node:http';

/** Longer than the idle timeout of common reverse proxies and load balancers (60 s). */
export const KEEP_ALIVE_MS = 65_000;

/**
 * Idle keep-alive connections must outlive those of a reverse proxy or load balancer in front: with Node's 5 s the
 * server closed connections a client was about to reuse, and a request written at that moment failed without an
 * answer (a 502 behind a proxy). Node's `close()` still ends idle connections at once.
 */
export function outliveProxyKeepAlive(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
}
