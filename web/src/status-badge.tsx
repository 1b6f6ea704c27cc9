/** Coloured status badges for credentials, connections and runs, with words, not only colour. */
import { Badge } from '@mantine/core';

const colours: Record<string, string> = {
  active: 'green',
  ok: 'green',
  succeeded: 'green',
  pending: 'gray',
  untested: 'gray',
  queued: 'gray',
  running: 'blue',
  created: 'green',
  updated: 'blue',
  unchanged: 'gray',
  skipped: 'yellow',
  filtered: 'gray',
  suspended: 'grape',
  unsuspended: 'teal',
  needs_reauth: 'orange',
  completed_with_errors: 'orange',
  canceled: 'yellow',
  failing: 'red',
  failed: 'red',
};

const words: Record<string, string> = {
  needs_reauth: 'needs re-authorisation',
  completed_with_errors: 'completed with errors',
  ok: 'connected',
};

export function statusColour(status: string): string {
  return colours[status] ?? 'gray';
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColour(status)} variant="light" data-status={status}>
      {words[status] ?? status}
    </Badge>
  );
}
