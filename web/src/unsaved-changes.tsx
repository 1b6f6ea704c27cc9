/**
 * Keeps unsaved edits from being lost: while `dirty`, leaving the screen (another tab, a link, the
 * browser's back button) asks first, keep editing or discard, and closing or reloading the page
 * gets the browser's own "leave site?" question.
 *
 * @example
 * <UnsavedChanges dirty={dirty} what="mapping" />
 */
import { Button, Group, Modal, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

import { setNavigationGuard } from './router.tsx';

export function UnsavedChanges({ dirty, what }: { dirty: boolean; what: string }) {
  const [leave, setLeave] = useState<(() => void) | null>(null);
  useEffect(() => {
    if (!dirty) return undefined;
    const removeGuard = setNavigationGuard((proceed) => {
      setLeave(() => proceed);
      return true;
    });
    const onBeforeUnload = (event: BeforeUnloadEvent): void => {
      event.preventDefault();
      // Older browsers ask only when returnValue is set.
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      removeGuard();
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty]);
  return (
    <Modal opened={leave !== null} onClose={() => setLeave(null)} title={`Unsaved changes to the ${what}`} centered>
      <Text size="sm">The {what} has changes that are not saved yet. Leave this screen and lose them?</Text>
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
}
