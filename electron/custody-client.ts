/**
 * The desktop side of custody: searches the custody service (GET /v1/drives) and records this
 * station's events. An event is signed with the station key, appended to a local journal
 * (fsync'd) and then pushed (POST /v1/events); when the service is unreachable it stays queued
 * and is pushed with the next event. See docs/CUSTODY.md §5.
 */
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { eventHash, makeEvent, signEvent, type SignedEvent, type EventType } from '../shared/custody/event.js';
import { ScelleError } from '../shared/errors/scelle-error.js';
import type { CustodyTimelineDto } from '../shared/ipc/index.js';
import { httpJson } from './http-json.js';
import type { CustodyPort, CustomerSigner, LookupKind, SettingsStore } from './ports.js';
import { loadStationIdentity } from './station.js';

type JournalLine = { event: SignedEvent } | { synced: string };

interface DriveAnswer {
  driveId: string;
  events: SignedEvent[];
  receipts?: { eventId: string; receivedAt: string }[];
  verification?: { ok: boolean; problems?: { code: string }[]; events?: { id: string | null; status: string }[] };
}

/** Turns one drive of a GET /v1/drives answer into the timeline the renderer shows. */
export function toTimeline(d: DriveAnswer): CustodyTimelineDto {
  const received = new Map((d.receipts ?? []).map((r) => [r.eventId, r.receivedAt]));
  const status = new Map((d.verification?.events ?? []).map((e) => [e.id, e.status]));
  const events = [...d.events].sort((a, b) => a.at.localeCompare(b.at));
  const pick = (key: string) => [...new Set(events.map((e) => e.data[key]).filter((v): v is string => typeof v === 'string'))];
  return {
    driveId: d.driveId,
    trackingNumbers: pick('trackingNumber'),
    orderRefs: pick('orderRef'),
    chainOk: d.verification?.ok ?? false,
    chainProblem: d.verification?.problems?.[0]?.code ?? (d.verification ? null : 'unverified'),
    events: events.map((e) => ({
      id: e.id, seq: e.seq, type: e.type, at: e.at, receivedAt: received.get(e.id) ?? null,
      author: { kind: e.author.kind, id: e.author.id }, data: e.data, signatureOk: status.get(e.id) !== 'invalid',
    })),
  };
}

/** CustodyPort over HTTP with a local journal file. */
export class HttpCustodyClient implements CustodyPort {
  constructor(private readonly settings: SettingsStore, private readonly journalFile: string, private readonly stationKeyFile: string) {}

  private async base(): Promise<{ url: string; ca: string | null; token: string | null }> {
    const s = await this.settings.get();
    if (!s.custodyUrl) throw new ScelleError('E_CUSTODY_SYNC', 'no custody service is configured', { reason: 'not-configured' });
    const ca = s.custodyCaPath ? await readFile(s.custodyCaPath, 'utf8') : null;
    return { url: s.custodyUrl.replace(/\/+$/, ''), ca, token: await this.settings.token() };
  }

  async lookup(kind: LookupKind, value: string): Promise<CustodyTimelineDto[]> {
    const b = await this.base();
    const answer = (await httpJson(`${b.url}/v1/drives?${kind === 'drive' ? 'drive' : kind}=${encodeURIComponent(value)}`, { token: b.token, ca: b.ca })) as { drives?: DriveAnswer[] };
    return (answer.drives ?? []).map(toTimeline);
  }

  private async journal(): Promise<{ events: SignedEvent[]; synced: Set<string> }> {
    let text = '';
    try {
      text = await readFile(this.journalFile, 'utf8');
    } catch {
      text = '';
    }
    const events: SignedEvent[] = [];
    const synced = new Set<string>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const j = JSON.parse(line) as JournalLine;
        if ('event' in j) events.push(j.event);
        else synced.add(j.synced);
      } catch {
        // a torn last line after a crash: ignored
      }
    }
    return { events, synced };
  }

  private async append(line: JournalLine): Promise<void> {
    await mkdir(dirname(this.journalFile), { recursive: true, mode: 0o700 });
    await appendFile(this.journalFile, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    const fh = await open(this.journalFile, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
  }

  async record(input: { driveId: string; type: string; data: Record<string, unknown>; customer?: CustomerSigner }): Promise<{ eventId: string; synced: boolean }> {
    const { events, synced } = await this.journal();
    const customer = input.customer;
    const lineage = events.filter((e) => e.driveId === input.driveId && (e.author.kind === 'customer') === (customer !== undefined)).sort((a, b) => a.seq - b.seq);
    const head = lineage[lineage.length - 1];
    const position = { type: input.type as EventType, driveId: input.driveId, seq: head ? head.seq + 1 : 0, prev: head ? eventHash(head) : null };
    let event: SignedEvent;
    if (customer) {
      const data = head ? input.data : { ...input.data, anchor: customer.anchor };
      event = await customer.sign(makeEvent({ ...position, author: { kind: 'customer', id: customer.authorId, publicKey: customer.publicKey }, data: data as never }));
    } else {
      const station = await loadStationIdentity(this.stationKeyFile);
      try {
        event = signEvent(makeEvent({ ...position, author: { kind: 'station', id: station.id, publicKey: Buffer.from(station.publicKey).toString('base64') }, data: input.data as never }), station.secretKey);
      } finally {
        station.secretKey.fill(0);
      }
    }
    await this.append({ event });
    const outbox = [...events.filter((e) => !synced.has(e.id)), event].slice(0, 100);
    try {
      const b = await this.base();
      const answer = (await httpJson(`${b.url}/v1/events`, { method: 'POST', body: { events: outbox }, token: b.token, ca: b.ca })) as { results?: { id: string; status: string }[] };
      for (const r of answer.results ?? []) if (r.status === 'stored' || r.status === 'duplicate' || r.status === 'rejected') await this.append({ synced: r.id });
      return { eventId: event.id, synced: (answer.results ?? []).some((r) => r.id === event.id && r.status !== 'rejected') };
    } catch (e) {
      if (e instanceof ScelleError && e.code === 'E_CUSTODY_SYNC') return { eventId: event.id, synced: false };
      throw e;
    }
  }
}
