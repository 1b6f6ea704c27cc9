/**
 * Keeps unsaved edits from being lost, for every form that edits something: while the form is
 * `dirty`, leaving the screen (another tab, a link, the browser's back button) and closing the modal
 * it sits in (`FormModal`: ×, Escape, a click outside) ask first, keep editing or discard (a form's
 * own Cancel button is that choice made already);
 * closing or reloading the page gets the browser's own "leave site?" question. Nothing is asked
 * when nothing changed, nor right after a save (`saved()`, called before the save's answer
 * navigates anywhere).
 *
 * @example
 * const unsaved = useUnsavedChanges(isEdited(doc, stored), 'integration details');
 * // in the form: {unsaved.prompt}; on a save's success, before onSaved: unsaved.saved()
 */
import { Button, getDefaultZIndex, Group, Modal, type ModalProps, Text } from '@mantine/core';
import { createContext, type ReactElement, type RefObject, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';

import { setNavigationGuard } from './router.tsx';

export interface UnsavedChanges {
  /** The "leave and lose them?" dialog: render it once inside the form. */
  readonly prompt: ReactElement;
  /** Runs `proceed` at once when nothing is unsaved, else once the person chooses to discard. */
  readonly confirm: (proceed: () => void) => void;
  /** The edits are stored now: leave without asking until the next change. */
  readonly saved: () => void;
}

type Confirm = UnsavedChanges['confirm'];

/** How a `FormModal` asks the form inside it before it closes, and whether it is open. */
interface FormModalContext {
  readonly ask: RefObject<Confirm | null>;
  readonly opened: boolean;
}
const ModalCloseContext = createContext<FormModalContext | null>(null);

export function useUnsavedChanges(edited: boolean, what: string): UnsavedChanges {
  const modal = useContext(ModalCloseContext);
  // A form in a closing modal (still shown while it fades out) has nothing left to lose.
  const dirty = edited && (modal?.opened ?? true);
  const [leave, setLeave] = useState<(() => void) | null>(null);
  // Read when asked, not when rendered: a save's answer may navigate before the form renders again.
  const holding = useRef(false);
  // A save re-runs the effect below even when the form stays dirty (edited while it was saving).
  const [saves, setSaves] = useState(0);

  const confirm = useCallback<Confirm>((proceed) => {
    if (holding.current) setLeave(() => proceed);
    else proceed();
  }, []);
  const saved = useCallback(() => {
    holding.current = false;
    setSaves((n) => n + 1);
  }, []);

  useEffect(() => {
    holding.current = dirty;
    if (!dirty) return undefined;
    const removeGuard = setNavigationGuard((proceed) => {
      if (!holding.current) return false;
      setLeave(() => proceed);
      return true;
    });
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      if (!holding.current) return;
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      removeGuard();
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty, saves]);

  const modalAsk = modal?.ask ?? null;
  useEffect(() => {
    if (modalAsk === null) return undefined;
    modalAsk.current = confirm;
    return () => {
      if (modalAsk.current === confirm) modalAsk.current = null;
    };
  }, [modalAsk, confirm]);

  const prompt = (
    <Modal
      opened={leave !== null}
      onClose={() => setLeave(null)}
      title={`Unsaved changes to the ${what}`}
      centered
      // Above any modal open at the time, a form's own (a new credential inside the details) included.
      zIndex={getDefaultZIndex('modal') + 1}
    >
      <Text size="sm">Changes to the {what} are not saved yet. Leave and lose them?</Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={() => setLeave(null)} data-autofocus>
          Keep editing
        </Button>
        <Button
          color="red"
          onClick={() => {
            const proceed = leave;
            setLeave(null);
            proceed?.();
          }}
        >
          Discard changes
        </Button>
      </Group>
    </Modal>
  );
  return { prompt, confirm, saved };
}

/**
 * A Mantine Modal around a form that uses `useUnsavedChanges`: closing it (×, Escape, a click
 * outside) with unsaved edits asks the form first.
 */
export function FormModal({ onClose, children, opened, ...props }: ModalProps) {
  const ask = useRef<Confirm | null>(null);
  const context = useMemo(() => ({ ask, opened }), [opened]);
  return (
    <ModalCloseContext.Provider value={context}>
      <Modal
        {...props}
        opened={opened}
        onClose={() => {
          const confirm = ask.current;
          if (confirm === null) return onClose();
          // After this event: the question would hear the Escape that asked it, and close at once.
          setTimeout(() => confirm(onClose), 0);
        }}
      >
        {children}
      </Modal>
    </ModalCloseContext.Provider>
  );
}

/** Whether `edited` differs from `stored` in content: key order and absent vs undefined do not count. */
export function isEdited(edited: unknown, stored: unknown): boolean {
  return canonical(edited) !== canonical(stored);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
