/**
 * Mapping by keyboard, as a drag without a pointer: Space or Enter on a NinjaOne field picks it up,
 * the arrow keys move it from one drop target to the next (never by pixels), Space or Enter drops
 * it, Escape (or Tab) puts it back. Focus stays on the field; the target it is over is highlighted
 * and scrolled into view, and each step is announced in words.
 *
 * @example
 * const carry = useKeyboardCarry({ order, phrases: phrases(words), onDrop });
 * <MappingSources onChipKey={carry.onChipKey} />  <div role="status" aria-live="assertive">{carry.announcement}</div>
 */
import { useState } from 'react';

import type { phrases } from './mapping-dnd.ts';

interface Carry {
  readonly source: string;
  /** Index into the drop targets; -1 before the first arrow key. */
  readonly at: number;
}

export interface KeyboardCarry {
  readonly carrying: string | null;
  /** The drop target the carried field is over, e.g. `dst:email`. */
  readonly over: string | null;
  readonly announcement: string;
  /** Handles a key pressed on a NinjaOne field; true when it was the carry's. */
  readonly onChipKey: (key: string, source: string) => boolean;
}

export function useKeyboardCarry({
  order,
  say,
  onDrop,
}: {
  /** The drop targets from top to bottom. */
  order: readonly string[];
  say: ReturnType<typeof phrases>;
  onDrop: (over: string, source: string) => void;
}): KeyboardCarry {
  const [carry, setCarry] = useState<Carry | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const over = carry && carry.at >= 0 ? (order[carry.at] ?? null) : null;

  const onChipKey = (key: string, source: string): boolean => {
    const pick = key === ' ' || key === 'Enter';
    if (carry === null) {
      if (!pick) return false;
      setCarry({ source, at: -1 });
      setAnnouncement(`${say.pickedUp(source)} Arrow keys move it between Oomnitza fields, Space drops it, Escape puts it back.`);
      return true;
    }
    const step = key === 'ArrowDown' || key === 'ArrowRight' ? 1 : key === 'ArrowUp' || key === 'ArrowLeft' ? -1 : 0;
    if (step !== 0) {
      const at = Math.max(0, Math.min(order.length - 1, carry.at < 0 ? 0 : carry.at + step));
      setCarry({ ...carry, at });
      setAnnouncement(say.over(carry.source, order[at] ?? null));
      return true;
    }
    if (pick) {
      setCarry(null);
      setAnnouncement(say.dropped(carry.source, over));
      if (over !== null) onDrop(over, carry.source);
      return true;
    }
    if (key === 'Escape' || key === 'Tab') {
      setCarry(null);
      setAnnouncement(say.putBack(carry.source));
      // Tab still moves the focus on; Escape is the carry's alone.
      return key === 'Escape';
    }
    return false;
  };

  return { carrying: carry?.source ?? null, over, announcement, onChipKey };
}
