/** IPC handlers of carriers and tracking numbers: `carriers.validate`, `shell.openCarrierLink`, and the validation the documents reuse. */
import { detectCarriers, trackingUrl, validateTrackingNumber, type CarrierId } from '../../shared/carriers/index.js';
import { ScelleError, isScelleError } from '../../shared/errors/scelle-error.js';
import type { ChannelHandlers, HandlerContext } from './context.js';

/** A tracking number judged in the UI language: valid with its carrier, or not with the carriers it might be and why. */
export interface TrackingCheck {
  normalized: string;
  valid: boolean;
  carriers: { id: string; name: string }[];
  carrier: { id: string; name: string } | null;
  reason?: string;
}

/** Validates `trackingNumber` (for `carrier` when given); never throws for an invalid number, only for other failures. */
export async function validateTracking(ctx: HandlerContext, trackingNumber: string, carrier?: string): Promise<TrackingCheck> {
  const l = await ctx.lang();
  const known = carrier as CarrierId | undefined;
  try {
    const r = validateTrackingNumber(trackingNumber, { lang: l, ...(known ? { carrier: known } : {}) });
    return {
      normalized: r.match.normalized,
      valid: true,
      carriers: r.candidates.map((c) => ({ id: c.carrier, name: c.carrierName })),
      carrier: { id: r.match.carrier, name: r.match.carrierName },
    };
  } catch (e) {
    if (!isScelleError(e, 'E_CARRIER_INVALID')) throw e;
    const candidates = detectCarriers(trackingNumber, { lang: l });
    return {
      normalized: trackingNumber.toUpperCase().replace(/[^A-Z0-9]/g, ''),
      valid: false,
      carriers: candidates.map((c) => ({ id: c.carrier, name: c.carrierName })),
      carrier: null,
      reason: String(e.details['reason'] ?? ''),
    };
  }
}

/** The carrier handlers; `shell.openCarrierLink` throws E_CARRIER_INVALID for an invalid number and opens only https links. */
export function carrierHandlers(ctx: HandlerContext): ChannelHandlers<'carriers.validate' | 'shell.openCarrierLink'> {
  const { deps } = ctx;
  return {
    'carriers.validate': async (req) => {
      const r = await validateTracking(ctx, req.trackingNumber, req.carrier);
      return { normalized: r.normalized, valid: r.valid, carriers: r.carriers, carrier: r.carrier };
    },
    'shell.openCarrierLink': async (req) => {
      const v = await validateTracking(ctx, req.trackingNumber, req.carrier);
      if (!v.valid || !v.carrier) throw new ScelleError('E_CARRIER_INVALID', 'the tracking number is not valid', {});
      const url = trackingUrl(v.carrier.id as CarrierId, v.normalized, await ctx.lang());
      if (!url || !url.startsWith('https://')) return { opened: false };
      await deps.openExternal(url);
      return { opened: true };
    },
  };
}
