/**
 * Verification of one drive's chain of custody: signatures, key trust, the two lineages'
 * hash links, forks, gaps, order and clocks. Pure and synchronous; it never throws on bad
 * input, it reports. Rules and codes are specified in docs/CUSTODY.md §4.
 */
import { eventHash, lineageOf, parseSignedEvent, verifyEventSignature, type Lineage, type SignedEvent } from './event.js';
import type { EventType, SealedSet } from './event-data.js';
import { custodyAnomalies, type CustodyAnomaly } from './custody-state.js';

/** Stable problem codes (never renamed; the UI maps them to sentences). */
export const CHAIN_PROBLEM_CODES = [
  'malformed',
  'bad-signature',
  'unknown-key',
  'revoked-key',
  'wrong-author',
  'missing-genesis',
  'gap',
  'fork',
  'altered',
  'reordered',
  'time-backwards',
  'duplicate',
] as const;
/** One chain problem code. */
export type ChainProblemCode = (typeof CHAIN_PROBLEM_CODES)[number];

/** Problem codes that only warn: the events are authentic and linked, but something is odd. */
export const WARNING_CODES: readonly ChainProblemCode[] = ['time-backwards', 'reordered'];

/** One problem found in a chain. */
export interface ChainProblem {
  code: ChainProblemCode;
  /** the event it concerns, or null for a problem of the whole lineage (e.g. no sealed event at all) */
  eventId: string | null;
  lineage: Lineage | null;
  seq: number | null;
  /** English, for logs and developers; the UI uses `code`. */
  message: string;
}

/**
 * Who could have signed a customer event (docs/CUSTODY.md §2): `customer-key` = only the
 * customer, whose own key the sealed event names; `data-key` = anyone who holds the drive's
 * data key (the customer, but also the sealing station and any escrow holder); `none` = the
 * event is not authentic as the customer's (wrong key, no authentic sealed event, bad signature);
 * `unknown` = not yet known, because the provider lineage (whose sealed event names the
 * customer's key) is not available yet (VerifyChainOptions.expectProviderLineage false).
 */
export type CustomerAttestation = 'customer-key' | 'data-key' | 'none' | 'unknown';

/** Verification status of one input event, for display beside it. */
export interface EventStatus {
  /** position in the input array */
  index: number;
  /** the event id, or null when the input has no string id */
  id: string | null;
  lineage: Lineage | null;
  seq: number | null;
  type: EventType | null;
  at: string | null;
  /** event hash, or null when malformed */
  hash: string | null;
  /** `ok`: no problem; `warning`: only warning codes; `invalid`: anything else. */
  status: 'ok' | 'warning' | 'invalid';
  codes: ChainProblemCode[];
  /** for customer-lineage events: who could have signed it; null for provider events and malformed input */
  attestation: CustomerAttestation | null;
}

/** Summary of one lineage as verified. */
export interface LineageSummary {
  /** number of distinct authentic-or-representative events */
  length: number;
  headSeq: number | null;
  headHash: string | null;
}

/** The result of verifyChain. JSON-serializable (the service returns it as-is). */
export interface ChainReport {
  driveId: string | null;
  ok: boolean;
  status: 'ok' | 'warning' | 'invalid';
  events: EventStatus[];
  problems: ChainProblem[];
  lineages: Record<Lineage, LineageSummary>;
  /**
   * Impossible orders among the authentic events (custody-state.ts): reported, never hidden,
   * and never a reason to drop an event. Any anomaly makes `ok` false and `status` at least `warning`.
   */
  anomalies: CustodyAnomaly[];
  /** from the sealed event, when there is exactly one authentic one */
  manifestSha256: string | null;
  customerPublicKey: string | null;
  /** how the customer's events of this drive are attested (from the sealed event), or null when unknown */
  customerAttestation: 'customer-key' | 'data-key' | null;
  /** the sealed set this drive is a member of (`sealed.data.set`), from the one authentic sealed event; null otherwise */
  set: SealedSet | null;
  /**
   * `present`: the input has provider events; `missing`: it has none, and it should have
   * (`missing-genesis`); `not-yet-known`: it has none, and the caller said the provider lineage
   * may simply not be available yet (a customer machine offline): no problem is reported for
   * it, the customer events' attestation is `unknown`, `ok` is false and `status` at least `warning`.
   */
  providerLineage: 'present' | 'missing' | 'not-yet-known';
}

/** Trust decision for a provider key at a time. */
export type KeyTrust = 'trusted' | 'unknown' | 'revoked';

/**
 * Which provider keys are trusted. `at` is the service's receive time when known
 * (options.trustedTimes), else the event's own `at`.
 */
export interface ChainTrust {
  /** Trust of a station key at `at` for station `authorId`. */
  isStationKeyTrusted(publicKeyB64: string, at: string, authorId: string): KeyTrust;
  /** Trust of a staff key; when absent, staff keys are looked up with isStationKeyTrusted. */
  isStaffKeyTrusted?(publicKeyB64: string, at: string, authorId: string): KeyTrust;
}

/** Options of verifyChain. */
export interface VerifyChainOptions {
  /** the drive the chain must belong to; default: the drive id of the first well-formed event */
  driveId?: string;
  /** allowed clock skew before `time-backwards` (default 5 minutes) */
  clockToleranceMs?: number;
  /** report `reordered` when the input lists a lineage out of seq order (default true) */
  checkOrder?: boolean;
  /** event id → service receive time (from receipts), used for key-trust decisions */
  trustedTimes?: ReadonlyMap<string, string>;
  /**
   * false on a customer's machine that could not fetch the service's copy: a chain without any
   * provider event is then "not yet known" rather than invalid (default true).
   */
  expectProviderLineage?: boolean;
}

/** Default clock skew tolerance: 5 minutes. */
export const DEFAULT_CLOCK_TOLERANCE_MS = 5 * 60_000;

interface Item {
  index: number;
  event: SignedEvent;
  hash: string;
  lineage: Lineage;
  sigOk: boolean;
  /** signature valid and author key authorized */
  authentic: boolean;
  /** ignored for structure (exact duplicate of an earlier item) */
  shadow: boolean;
}

/**
 * Verifies all known events of one drive, given in stored order (journal or service order).
 * Each event is parsed (`malformed`), its signature checked (`bad-signature`), its author
 * checked (`unknown-key`, `revoked-key` via `trust`; `wrong-author` for customer events not
 * signed by the sealed event's customerPublicKey or anchored to another manifest). Then each
 * lineage is walked by seq: `missing-genesis`, `gap`, `fork` (two authentic events with the
 * same seq or the same prev), `altered` (prev ≠ hash of the event before, or another drive
 * id), `time-backwards` (beyond the tolerance), and `reordered` (input out of seq order).
 * An exact duplicate (same id, same hash) is ignored; the same id with another content is
 * `duplicate`. Events that are not authentic never count as fork competitors of authentic
 * ones, but one that is alone at its seq still serves to check its successor's link.
 * Finally the authentic events go through the custody state machine (custody-state.ts): an
 * impossible order (a `received` before any `shipped`, an `opened` after `erased`, …) is listed
 * in `anomalies`, never rejected. Each customer event's `attestation` says who could have signed
 * it (the customer alone, or any data-key holder; see CustomerAttestation). With
 * `expectProviderLineage: false` and no provider event at all, the provider lineage is
 * "not yet known" instead of missing (providerLineage). Never throws.
 */
export function verifyChain(events: readonly unknown[], trust: ChainTrust, options: VerifyChainOptions = {}): ChainReport {
  const tolerance = options.clockToleranceMs ?? DEFAULT_CLOCK_TOLERANCE_MS;
  const problems: ChainProblem[] = [];
  const statuses: EventStatus[] = [];
  const byIndex = new Map<number, ChainProblemCode[]>();
  const add = (code: ChainProblemCode, item: { index: number; event: SignedEvent } | null, message: string, lineage: Lineage | null = null): void => {
    problems.push({ code, eventId: item ? item.event.id : null, lineage: item ? lineageOf(item.event) : lineage, seq: item ? item.event.seq : null, message });
    if (item) {
      const codes = byIndex.get(item.index) ?? [];
      if (!codes.includes(code)) codes.push(code);
      byIndex.set(item.index, codes);
    }
  };

  // 1. parse
  const items: Item[] = [];
  events.forEach((raw, index) => {
    let event: SignedEvent;
    try {
      event = parseSignedEvent(raw);
    } catch (e) {
      const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : null;
      problems.push({ code: 'malformed', eventId: rawId, lineage: null, seq: null, message: e instanceof Error ? e.message : 'malformed event' });
      byIndex.set(index, ['malformed']);
      statuses[index] = { index, id: rawId, lineage: null, seq: null, type: null, at: null, hash: null, status: 'invalid', codes: ['malformed'], attestation: null };
      return;
    }
    items.push({ index, event, hash: eventHash(event), lineage: lineageOf(event), sigOk: verifyEventSignature(event), authentic: false, shadow: false });
  });

  const driveId = options.driveId ?? items[0]?.event.driveId ?? null;

  // 2. duplicates by id
  const firstById = new Map<string, Item>();
  for (const it of items) {
    const first = firstById.get(it.event.id);
    if (!first) {
      firstById.set(it.event.id, it);
      continue;
    }
    if (first.hash === it.hash) it.shadow = true;
    else {
      add('duplicate', first, `event id ${it.event.id} appears with different contents`);
      add('duplicate', it, `event id ${it.event.id} appears with different contents`);
    }
  }
  const live = items.filter((it) => !it.shadow);

  // 3. drive id, signatures, provider key trust
  for (const it of live) {
    if (driveId !== null && it.event.driveId !== driveId) add('altered', it, `event belongs to drive ${it.event.driveId}, not ${driveId}`);
    if (!it.sigOk) {
      add('bad-signature', it, 'signature does not verify');
      continue;
    }
    if (it.lineage === 'provider') {
      const at = options.trustedTimes?.get(it.event.id) ?? it.event.at;
      const a = it.event.author;
      const t = a.kind === 'staff' && trust.isStaffKeyTrusted ? trust.isStaffKeyTrusted(a.publicKey, at, a.id) : trust.isStationKeyTrusted(a.publicKey, at, a.id);
      if (t === 'trusted') it.authentic = true;
      else if (t === 'revoked') add('revoked-key', it, `${a.kind} key of ${a.id} was revoked at ${at}`);
      else add('unknown-key', it, `${a.kind} key of ${a.id} is not known`);
    }
  }
  const onDrive = live.filter((it) => driveId === null || it.event.driveId === driveId);
  const hasProvider = onDrive.some((it) => it.lineage === 'provider');
  const providerPending = !hasProvider && options.expectProviderLineage === false;

  // 4. genesis of the provider lineage → customer key and anchor
  const sealedAuthentic = onDrive.filter((it) => it.lineage === 'provider' && it.event.seq === 0 && it.authentic);
  const customerKeys = new Set(sealedAuthentic.map((it) => String(it.event.data['customerPublicKey'])));
  const attestationOfKey = new Map(sealedAuthentic.map((it) => [String(it.event.data['customerPublicKey']), attestationOfSealed(it.event)] as const));
  const anchors = new Set(sealedAuthentic.map((it) => String(it.event.data['manifestSha256'])));
  for (const it of onDrive) {
    if (it.lineage !== 'customer' || !it.sigOk) continue;
    if (sealedAuthentic.length === 0) {
      if (!providerPending) add('unknown-key', it, 'no authentic sealed event: the customer key cannot be known');
      continue;
    }
    if (!customerKeys.has(it.event.author.publicKey)) {
      const own = [...attestationOfKey.values()].includes('customer-key');
      add(
        'wrong-author',
        it,
        own
          ? "customer event not signed by the customer's own key named in the sealed event (a data-key holder cannot sign for this customer)"
          : 'customer event not signed by the key recorded in the sealed event',
      );
      continue;
    }
    if (it.event.seq === 0 && !anchors.has(String(it.event.data['anchor']))) {
      add('wrong-author', it, 'customer lineage anchored to another manifest');
      continue;
    }
    it.authentic = true;
  }

  // 5. each lineage
  const summaries: Record<Lineage, LineageSummary> = { provider: { length: 0, headSeq: null, headHash: null }, customer: { length: 0, headSeq: null, headHash: null } };
  let sealedAt: number | null = null;
  for (const lineage of ['provider', 'customer'] as const) {
    const members = onDrive.filter((it) => it.lineage === lineage);
    if (members.length === 0) {
      if (lineage === 'provider' && onDrive.length > 0 && !providerPending) add('missing-genesis', null, 'no sealed event: the provider lineage is missing', 'provider');
      continue;
    }
    // order in input
    if (options.checkOrder ?? true) {
      let maxSeq = -1;
      for (const it of members) {
        if (it.event.seq < maxSeq) add('reordered', it, `seq ${it.event.seq} listed after seq ${maxSeq}`);
        maxSeq = Math.max(maxSeq, it.event.seq);
      }
    }
    // candidates per seq, authentic first
    const bySeq = new Map<number, Item[]>();
    for (const it of members) bySeq.set(it.event.seq, [...(bySeq.get(it.event.seq) ?? []), it]);
    const rank = (it: Item): number => (it.authentic ? 0 : it.sigOk ? 1 : 2);
    const reps = new Map<number, Item[]>();
    for (const [seq, cands] of bySeq) {
      const authentic = cands.filter((c) => c.authentic);
      if (authentic.length > 1) for (const c of authentic) add('fork', c, `${authentic.length} different authentic events at ${lineage} seq ${seq}`);
      const best = authentic.length > 0 ? authentic : [...cands].sort((a, b) => rank(a) - rank(b)).slice(0, 1);
      reps.set(seq, best);
    }
    // same prev, different seq (a fork that also lies about seq)
    const byPrev = new Map<string, Item[]>();
    for (const it of members) if (it.authentic && it.event.prev !== null) byPrev.set(it.event.prev, [...(byPrev.get(it.event.prev) ?? []), it]);
    for (const [, group] of byPrev) {
      if (new Set(group.map((g) => g.event.seq)).size > 1) for (const g of group) add('fork', g, 'several authentic events extend the same predecessor');
    }
    const seqs = [...reps.keys()].sort((a, b) => a - b);
    const first = seqs[0] ?? 0;
    if (first !== 0) {
      const it = reps.get(first)?.[0];
      if (it) add('missing-genesis', it, `${lineage} lineage has no seq 0`);
    }
    let prevSeq: number | null = null;
    for (const seq of seqs) {
      const cur = reps.get(seq) ?? [];
      if (prevSeq !== null && seq !== prevSeq + 1) for (const it of cur) add('gap', it, `${lineage} seq ${prevSeq + 1}..${seq - 1} missing`);
      const before = seq > 0 ? reps.get(seq - 1) : undefined;
      if (before && before.length > 0) {
        for (const it of cur) {
          const match = before.find((b) => b.hash === it.event.prev);
          if (!match) {
            add('altered', it, `prev does not match the hash of ${lineage} seq ${seq - 1}: it was altered or replaced`);
            continue;
          }
          const dt = Date.parse(match.event.at) - Date.parse(it.event.at);
          if (dt > tolerance) add('time-backwards', it, `at is ${Math.round(dt / 1000)} s before its predecessor's`);
        }
      }
      prevSeq = seq;
    }
    const headSeq = seqs[seqs.length - 1] ?? null;
    const head = headSeq === null ? undefined : reps.get(headSeq);
    summaries[lineage] = { length: seqs.length, headSeq, headHash: head && head.length === 1 && head[0] ? head[0].hash : null };
    if (lineage === 'provider' && sealedAuthentic.length === 1 && sealedAuthentic[0]) sealedAt = Date.parse(sealedAuthentic[0].event.at);
    if (lineage === 'customer' && sealedAt !== null) {
      const g = reps.get(0)?.[0];
      if (g && sealedAt - Date.parse(g.event.at) > tolerance) add('time-backwards', g, 'customer event dated before the drive was sealed');
    }
  }

  // 6. statuses
  for (const it of items) {
    const src = it.shadow ? firstById.get(it.event.id) : it;
    const codes = byIndex.get(src?.index ?? it.index) ?? [];
    statuses[it.index] = {
      index: it.index,
      id: it.event.id,
      lineage: it.lineage,
      seq: it.event.seq,
      type: it.event.type,
      at: it.event.at,
      hash: it.hash,
      status: statusOf(codes),
      codes: [...codes],
      attestation:
        it.lineage !== 'customer'
          ? null
          : (src ?? it).authentic
            ? (attestationOfKey.get(it.event.author.publicKey) ?? 'data-key')
            : providerPending && it.sigOk
              ? 'unknown'
              : 'none',
    };
  }
  // 7. custody order of the authentic events (anomalies are reported, the events kept)
  const anomalies = custodyAnomalies(
    onDrive.filter((it) => it.authentic).map((it) => it.event),
    { clockToleranceMs: tolerance },
  );
  const status =
    problems.length === 0 ? (anomalies.length === 0 && !providerPending ? 'ok' : 'warning') : problems.every((p) => WARNING_CODES.includes(p.code)) ? 'warning' : 'invalid';
  const only = sealedAuthentic.length === 1 ? sealedAuthentic[0] : undefined;
  return {
    driveId,
    ok: problems.length === 0 && anomalies.length === 0 && !providerPending,
    status,
    events: statuses,
    problems,
    lineages: summaries,
    anomalies,
    manifestSha256: only ? String(only.event.data['manifestSha256']) : null,
    customerPublicKey: only ? String(only.event.data['customerPublicKey']) : null,
    customerAttestation: only ? attestationOfSealed(only.event) : null,
    set: only && only.event.data['set'] ? (only.event.data['set'] as SealedSet) : null,
    providerLineage: hasProvider ? 'present' : providerPending ? 'not-yet-known' : 'missing',
  };
}

/** The customer attestation a sealed event declares (absent = data-key, as before customer keys existed). */
function attestationOfSealed(sealed: SignedEvent): 'customer-key' | 'data-key' {
  return sealed.data['customerAttestation'] === 'customer-key' ? 'customer-key' : 'data-key';
}

function statusOf(codes: readonly ChainProblemCode[]): EventStatus['status'] {
  if (codes.length === 0) return 'ok';
  return codes.every((c) => WARNING_CODES.includes(c)) ? 'warning' : 'invalid';
}

/**
 * A ChainTrust from fixed key lists (e.g. the keys pinned in a config or returned by the
 * service's enrolment registry). A key listed in `revoked` with a time is revoked from that
 * time on (events before it stay trusted); a key not listed anywhere is unknown.
 */
export function staticTrust(keys: { stations: Iterable<string>; staff?: Iterable<string>; revoked?: Iterable<{ publicKey: string; revokedAt: string }> }): ChainTrust {
  const stations = new Set(keys.stations);
  const staff = new Set(keys.staff ?? []);
  const revoked = new Map<string, number>();
  for (const r of keys.revoked ?? []) revoked.set(r.publicKey, Date.parse(r.revokedAt));
  const decide = (set: Set<string>, key: string, at: string): KeyTrust => {
    const rev = revoked.get(key);
    if (rev !== undefined && !(Date.parse(at) < rev)) return 'revoked';
    return set.has(key) ? 'trusted' : 'unknown';
  };
  return {
    isStationKeyTrusted: (key, at) => decide(stations, key, at),
    isStaffKeyTrusted: (key, at) => decide(staff, key, at),
  };
}
