/**
 * Request rate limits of the custody service, over @fastify/rate-limit's in-memory store
 * (fixed one-minute windows, at most `cache` keys kept, least recently used dropped):
 * - per address: every request, before its token is even looked up;
 * - failed authentications per address: once exceeded, that address is answered 429 without a
 *   token lookup until the window ends (token guessing gets a few tries a minute);
 * - per token: every authenticated request.
 * The address is the connection's peer, or the client named by X-Forwarded-For when the peer
 * is a declared TLS proxy (Fastify's trustProxy, see config.ts); IPv6 clients count per /64
 * (one machine or site usually holds a whole /64), IPv4 per address.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/** Requests allowed per minute (docs/SERVER.md "Rate limits"). */
export interface RateLimits {
  /** any request from one address */
  perAddress: number;
  /** failed authentications (missing, unknown, revoked or expired token) from one address */
  authFailuresPerAddress: number;
  /** requests with one token */
  perToken: number;
}

/** Defaults: generous for stations syncing and support looking up, tight for guessing. */
export const DEFAULT_RATE_LIMITS: RateLimits = { perAddress: 1200, authFailuresPerAddress: 30, perToken: 600 };

const WINDOW_MS = 60_000;
/** Keys (addresses and tokens) remembered per limiter; bounds memory under a spoofed-source flood. */
const CACHE_KEYS = 50_000;

/**
 * The rate-limit key of a client address: an IPv4 address as is (also when IPv4-mapped), an IPv6
 * address as its /64 prefix, anything else as given.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** 429 with the seconds to wait. */
export class RateLimitedError extends HttpError {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super(429, 'rate-limited', `too many ${what}; retry in ${retryAfterSeconds} s`);
  }
}

/** The three checks, each throwing {@link RateLimitedError} when its limit is exceeded. */
export interface RateLimiter {
  /** Counts a request from its address; call first. */
  address(req: FastifyRequest): Promise<void>;
  /** Refuses an address that has failed authentication too often (does not count). */
  failuresAllowed(req: FastifyRequest): Promise<void>;
  /** Counts one failed authentication from the request's address. */
  failure(req: FastifyRequest): Promise<void>;
  /** Counts a request with the authenticated caller's token (`tokenId`). */
  token(req: FastifyRequest, tokenId: string): Promise<void>;
}

/**
 * Registers the plugin on `app` (no route hooks of its own) and returns the limiter that the
 * authentication hook calls.
 */
export async function installRateLimits(app: FastifyInstance, limits: RateLimits): Promise<RateLimiter> {
  await app.register(rateLimit, { global: false, cache: CACHE_KEYS });
  const make = (prefix: string, max: number, key: (req: FastifyRequest) => string) =>
    app.createRateLimit({ max, timeWindow: WINDOW_MS, keyGenerator: (req) => `${prefix}:${key(req)}` });
  const byAddress = make('addr', limits.perAddress, (req) => addressKey(req.ip));
  const failures = make('fail', limits.authFailuresPerAddress, (req) => addressKey(req.ip));
  const tokenIds = new WeakMap<FastifyRequest, string>();
  const byToken = make('token', limits.perToken, (req) => tokenIds.get(req) ?? '');
  const check = async (limiter: typeof byAddress, req: FastifyRequest, what: string, increment = true): Promise<void> => {
    const r = await limiter(req, { increment });
    if (!r.isAllowed && (increment ? r.isExceeded : r.remaining === 0)) throw new RateLimitedError(Math.max(1, r.ttlInSeconds), what);
  };
  return {
    address: (req) => check(byAddress, req, 'requests from this address'),
    failuresAllowed: (req) => check(failures, req, 'failed authentications from this address', false),
    failure: (req) => check(failures, req, 'failed authentications from this address'),
    token: (req, tokenId) => {
      tokenIds.set(req, tokenId);
      return check(byToken, req, 'requests with this token');
    },
  };
}
