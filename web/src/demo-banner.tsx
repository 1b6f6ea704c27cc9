/** Says plainly that this is a demo against local emulators (`ninja-sync serve --demo`). */
import { Alert } from '@mantine/core';

export function DemoBanner() {
  return (
    <Alert color="orange" variant="light" role="note" aria-label="Demo mode" py={6}>
      Demo mode: NinjaOne and Oomnitza here are local emulators, not the real services.
    </Alert>
  );
}
