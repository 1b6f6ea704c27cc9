/**
 * A wide table on a narrow screen: it scrolls sideways inside its own box (the page never does),
 * and the box is a named, focusable region so a keyboard can scroll it too.
 *
 * @example
 * <ScrollTable label="Runs" minWidth={720}><Table aria-label="Runs">…</Table></ScrollTable>
 */
import type { ReactNode } from 'react';

export function ScrollTable({ label, minWidth, children }: { label: string; minWidth: number; children: ReactNode }) {
  return (
    <div role="region" aria-label={`${label} (scrolls sideways)`} tabIndex={0} className="scroll-table">
      <div style={{ minWidth }}>{children}</div>
    </div>
  );
}
