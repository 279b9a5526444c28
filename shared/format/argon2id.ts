/**
 * Argon2id (RFC 9106, version 0x13) for the unlock-code keyslot, from the fastest implementation
 * the runtime has: Node's native `crypto.argon2` (OpenSSL, Node ≥ 24.7; about twice as fast, and
 * it runs on libuv's thread pool instead of this thread) or @noble/hashes (pure JavaScript, for
 * older Node and for runtimes whose crypto lacks Argon2, such as Electron's BoringSSL).
 *
 * The choice is made once per process, at the first derivation: the native function is used only
 * if it exists and reproduces RFC 9106's published Argon2id vector; anything else (missing,
 * throwing, or a wrong answer) selects @noble/hashes. Both give the same bytes for the same
 * inputs (argon2id.test.ts checks them against each other and against the vectors).
 */
import * as nodeCrypto from 'node:crypto';
import { argon2idAsync } from '@noble/hashes/argon2.js';

/** Argon2id cost parameters: `m` KiB of memory, `t` passes, `p` lanes, `dkLen` output bytes. */
export interface Argon2idParams {
  m: number;
  t: number;
  p: number;
  dkLen: number;
}

/** Optional inputs of RFC 9106 that scelle/1 does not use (K and X); here for the published vectors. */
export interface Argon2idExtras {
  /** K, the secret value ("pepper"). */
  secret?: Uint8Array;
  /** X, the associated data. */
  associatedData?: Uint8Array;
}

/** One implementation of Argon2id. */
export interface Argon2idBackend {
  /** `native` = node:crypto's argon2, `noble` = @noble/hashes. */
  readonly name: 'native' | 'noble';
  /**
   * Derives `params.dkLen` bytes from `password` and `salt` (at least 8 bytes). Never blocks the
   * event loop for long (native: thread pool; noble: yields every ~10 ms).
   * Rejects (a plain Error from the implementation) on parameters it cannot run.
   */
  derive(password: Uint8Array, salt: Uint8Array, params: Argon2idParams, extras?: Argon2idExtras): Promise<Uint8Array>;
}

/** @noble/hashes' Argon2id: always available. */
export const nobleArgon2id: Argon2idBackend = {
  name: 'noble',
  derive(password, salt, params, extras = {}) {
    return argon2idAsync(password, salt, {
      m: params.m,
      t: params.t,
      p: params.p,
      dkLen: params.dkLen,
      ...(extras.secret ? { key: extras.secret } : {}),
      ...(extras.associatedData ? { personalization: extras.associatedData } : {}),
      asyncTick: 10,
      maxmem: params.m * 1024 + (1 << 20),
    });
  },
};

/** The shape of node:crypto's `argon2` (Node ≥ 24.7), looked up at run time. */
type NativeArgon2 = (
  algorithm: 'argon2id',
  parameters: { message: Uint8Array; nonce: Uint8Array; parallelism: number; tagLength: number; memory: number; passes: number; secret?: Uint8Array; associatedData?: Uint8Array },
  callback: (err: Error | null, derivedKey: Buffer) => void,
) => void;

/** node:crypto's Argon2id, or null when this runtime's node:crypto has no `argon2` function. */
export function nativeArgon2id(): Argon2idBackend | null {
  const fn = (nodeCrypto as unknown as { argon2?: unknown }).argon2;
  if (typeof fn !== 'function') return null;
  const argon2 = fn as NativeArgon2;
  return {
    name: 'native',
    derive(password, salt, params, extras = {}) {
      return new Promise((resolve, reject) => {
        try {
          argon2(
            'argon2id',
            {
              message: password,
              nonce: salt,
              parallelism: params.p,
              tagLength: params.dkLen,
              memory: params.m,
              passes: params.t,
              ...(extras.secret ? { secret: extras.secret } : {}),
              ...(extras.associatedData ? { associatedData: extras.associatedData } : {}),
            },
            (err, key) => {
              if (err) {
                reject(err);
                return;
              }
              // A plain Uint8Array that owns its memory (no pooled Buffer), so callers can zero it.
              const out = new Uint8Array(key);
              key.fill(0);
              resolve(out);
            },
          );
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    },
  };
}

const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * RFC 9106 §5.3, the published Argon2id test vector: password 32 × 0x01, salt 16 × 0x02,
 * secret 8 × 0x03, associated data 12 × 0x04, m = 32 KiB, t = 3, p = 4, 32 bytes.
 */
export const RFC9106_ARGON2ID_VECTOR = Object.freeze({
  password: bytes(32, 0x01),
  salt: bytes(16, 0x02),
  secret: bytes(8, 0x03),
  associatedData: bytes(12, 0x04),
  params: Object.freeze({ m: 32, t: 3, p: 4, dkLen: 32 }),
  tag: '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659',
});

/** True when `backend` reproduces the RFC 9106 vector (false when it throws or differs). */
export async function passesKnownAnswer(backend: Argon2idBackend): Promise<boolean> {
  const v = RFC9106_ARGON2ID_VECTOR;
  try {
    const tag = await backend.derive(v.password, v.salt, v.params, { secret: v.secret, associatedData: v.associatedData });
    return hex(tag) === v.tag;
  } catch {
    return false;
  }
}

/**
 * The backend to use given the runtime's native one (or null): the native one only when it
 * reproduces the RFC 9106 vector, else @noble/hashes. Never rejects.
 */
export async function chooseArgon2id(native: Argon2idBackend | null): Promise<Argon2idBackend> {
  return native && (await passesKnownAnswer(native)) ? native : nobleArgon2id;
}

let selected: Promise<Argon2idBackend> | null = null;

/**
 * The backend this process uses (chosen once, see module doc): native when present and correct,
 * else @noble/hashes. Never rejects.
 */
export function selectArgon2id(): Promise<Argon2idBackend> {
  selected ??= chooseArgon2id(nativeArgon2id());
  return selected;
}

/**
 * Argon2id of `password` and `salt` with the selected backend (see {@link selectArgon2id}).
 * Rejects with the implementation's Error on parameters it cannot run.
 */
export async function argon2id(password: Uint8Array, salt: Uint8Array, params: Argon2idParams): Promise<Uint8Array> {
  return (await selectArgon2id()).derive(password, salt, params);
}
