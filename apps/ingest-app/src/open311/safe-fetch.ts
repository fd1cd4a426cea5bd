import { lookup as dnsLookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { refusalOf } from './address-policy.js';

/** The URL or what it leads to may never be fetched (permanent: the job ends). */
export class MediaRefused extends Error {
  override name = 'MediaRefused';
}

/** A failure worth retrying later (network, timeout, 5xx). */
export class MediaUnavailable extends Error {
  override name = 'MediaUnavailable';
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

export interface SafeFetchOptions {
  allowLoopback: boolean;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  /** DNS resolution; tests pass a fake one to stand for names that resolve to private ranges. */
  resolve?: (hostname: string) => Promise<ResolvedAddress[]>;
}

export interface Fetched {
  bytes: number;
  contentType?: string;
  finalUrl: string;
}

const defaultResolve = (hostname: string): Promise<ResolvedAddress[]> => dnsLookup(hostname, { all: true, verbatim: true });

/** Scheme and shape only (no DNS): http(s), no credentials, at most 2,000 characters. Throws MediaRefused. */
export function checkMediaUrl(raw: string): URL {
  if (raw.length > 2000) throw new MediaRefused('media_url is longer than 2,000 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MediaRefused('media_url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MediaRefused('media_url must use http or https');
  if (url.username || url.password) throw new MediaRefused('media_url must not carry credentials');
  return url;
}

/** A literal IP host (URL keeps IPv6 in brackets), or undefined for a name. */
function literalIp(url: URL): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) ? host : undefined;
}

/** Refuses a URL whose host is a literal refused address, before anything is stored (no DNS). */
export function refusalOfLiteralHost(url: URL, allowLoopback: boolean): string | undefined {
  const ip = literalIp(url);
  return ip ? refusalOf(ip, { allowLoopback }) : undefined;
}

/**
 * Downloads a media_url to `destination` without letting it reach the platform's own network: the host is
 * resolved once, every address it resolves to must be public, and the socket connects to the checked
 * address (no second resolution an attacker could rebind). Redirects are followed (3 at most) with the
 * same checks; the body is capped in bytes and the whole fetch in time.
 */
export async function safeFetchToFile(raw: string, destination: string, options: SafeFetchOptions): Promise<Fetched> {
  const deadline = Date.now() + options.timeoutMs;
  let url = checkMediaUrl(raw);
  for (let hop = 0; ; hop++) {
    const address = await resolveChecked(url, options);
    const response = await get(url, address, deadline);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= (options.maxRedirects ?? 3)) throw new MediaRefused('too many redirects');
      url = checkMediaUrl(new URL(response.headers.location, url).toString());
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      if (status >= 500 || status === 429 || status === 408) throw new MediaUnavailable(`HTTP ${status}`);
      throw new MediaRefused(`HTTP ${status}`);
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      response.destroy();
      throw new MediaRefused(`larger than ${options.maxBytes} bytes`);
    }
    const bytes = await save(response, destination, options.maxBytes, deadline);
    return { bytes, contentType: response.headers['content-type'], finalUrl: url.toString() };
  }
}

async function resolveChecked(url: URL, options: SafeFetchOptions): Promise<ResolvedAddress> {
  const literal = literalIp(url);
  let addresses: ResolvedAddress[];
  if (literal) {
    addresses = [{ address: literal, family: isIP(literal) }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(url.hostname);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw new MediaRefused(`${url.hostname} does not resolve`);
      throw new MediaUnavailable(`DNS: ${code ?? String(error)}`);
    }
  }
  if (addresses.length === 0) throw new MediaRefused(`${url.hostname} does not resolve`);
  // Every address must pass: a name that also resolves to an internal address is refused outright.
  for (const a of addresses) {
    const refusal = refusalOf(a.address, { allowLoopback: options.allowLoopback });
    if (refusal) throw new MediaRefused(`${url.hostname}: ${refusal}`);
  }
  return addresses[0];
}

function get(url: URL, address: ResolvedAddress, deadline: number): Promise<IncomingMessage> {
  // Connect to the address we checked, whatever the resolver would say now.
  const pinned: LookupFunction = (_hostname, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as (e: null, a: ResolvedAddress[]) => void)(null, [address]);
    else callback(null, address.address, address.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new MediaUnavailable('time limit reached'));
    const req = send(url, {
      method: 'GET',
      agent: false,
      lookup: pinned,
      timeout: remaining,
      headers: { 'user-agent': 'wenzheng-open311/1', accept: 'image/*, video/*' },
    });
    const timer = setTimeout(() => req.destroy(new MediaUnavailable('time limit reached')), remaining);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('timeout', () => req.destroy(new MediaUnavailable('time limit reached')));
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof MediaRefused || error instanceof MediaUnavailable ? error : new MediaUnavailable(error.message));
    });
    req.end();
  });
}

async function save(response: IncomingMessage, destination: string, maxBytes: number, deadline: number): Promise<number> {
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) return callback(new MediaRefused(`larger than ${maxBytes} bytes`));
      callback(null, chunk);
    },
  });
  const timer = setTimeout(() => response.destroy(new MediaUnavailable('time limit reached')), Math.max(0, deadline - Date.now()));
  try {
    await pipeline(response, cap, createWriteStream(destination));
    return bytes;
  } catch (error) {
    if (error instanceof MediaRefused || error instanceof MediaUnavailable) throw error;
    throw new MediaUnavailable((error as Error).message);
  } finally {
    clearTimeout(timer);
  }
}
