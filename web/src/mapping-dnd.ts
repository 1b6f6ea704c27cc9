/**
 * Drag and drop on the mapping page for the pointer and screen readers: which Oomnitza field a
 * drop lands on, and what is announced, in words (never ids).
 *
 * @example
 * <DndContext collisionDetection={dropTarget} accessibility={{ announcements: announcements(words), screenReaderInstructions }} />
 */
import { type Announcements, type CollisionDetection, pointerWithin, rectIntersection } from '@dnd-kit/core';

/** The field under the pointer wins, else the most overlapped one. (The keyboard has its own way: use-keyboard-carry.ts.) */
export const dropTarget: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length > 0 ? under : rectIntersection(args);
};

export const screenReaderInstructions = {
  draggable:
    'To map this NinjaOne field, press Space to pick it up, the arrow keys to move it from one Oomnitza field to the next, Space again to drop it there, or Escape to put it back. Up and down arrows without picking up move between NinjaOne fields.',
};

export interface DropWords {
  /** "Email" for the source field `email`. */
  readonly source: (id: string) => string;
  /** "Oomnitza field E-mail (email)" for the drop target `dst:email`. */
  readonly target: (id: string) => string;
  /** What the target takes now, in words ("Email"), or null when it is not mapped. */
  readonly current: (id: string) => string | null;
  /** Why a drop there would change nothing (a new field without a name yet), or null when it would map. */
  readonly refusal: (id: string) => string | null;
}

/** The sentences, shared by the pointer's announcements and the keyboard's. */
export function phrases(words: DropWords) {
  return {
    pickedUp: (source: string): string => `Picked up NinjaOne field ${words.source(source)}.`,
    over: (source: string, over: string | null): string => {
      if (over === null) return `${words.source(source)} is over no Oomnitza field.`;
      const taken = words.current(over);
      return `${words.source(source)} is over ${words.target(over)}${taken ? `, which takes ${taken} now` : ''}.`;
    },
    dropped: (source: string, over: string | null): string => {
      if (over === null) return `${words.source(source)} was put back; nothing changed.`;
      const refusal = words.refusal(over);
      if (refusal) return `Nothing changed: ${refusal}.`;
      const taken = words.current(over);
      if (taken && taken !== words.source(source))
        return `${words.target(over)} takes ${taken} now: confirm whether ${words.source(source)} replaces it.`;
      return `${words.source(source)} mapped to ${words.target(over)}.`;
    },
    putBack: (source: string): string => `${words.source(source)} was put back; nothing changed.`,
  };
}

/** What a screen reader hears while a field is dragged by pointer, in words rather than ids. */
export function announcements(words: DropWords): Announcements {
  const say = phrases(words);
  const source = (id: string | number): string => String(id).replace(/^src:/, '');
  return {
    onDragStart: ({ active }) => say.pickedUp(source(active.id)),
    onDragOver: ({ active, over }) => say.over(source(active.id), over ? String(over.id) : null),
    onDragEnd: ({ active, over }) => say.dropped(source(active.id), over ? String(over.id) : null),
    onDragCancel: ({ active }) => say.putBack(source(active.id)),
  };
}
