/**
 * A process-wide listener for vendor calls, so the server can count them by vendor and status for
 * `/metrics` without every client taking a hook. One listener; setting another replaces it.
 *
 * @example
 * observeVendorCalls((vendor, status) => countVendorCall(vendor, status));
 */
import type { VendorName } from './vendor-error.ts';

export type VendorCallListener = (vendor: VendorName, status: number | 'error') => void;

let listener: VendorCallListener | null = null;

export function observeVendorCalls(next: VendorCallListener | null): void {
  listener = next;
}

/** Called by `sendJson` after every attempt: the HTTP status, or 'error' when there was none. */
export function notifyVendorCall(vendor: VendorName, status: number | null): void {
  if (!listener) return;
  try {
    listener(vendor, status ?? 'error');
  } catch {
    // A metrics listener must never break a vendor call.
  }
}
