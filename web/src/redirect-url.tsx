/** The redirect URL to register on the NinjaOne client app, with a copy button. */
import { Button, Code, CopyButton, Group, Paper, Text } from '@mantine/core';

export function RedirectUrl({ url }: { url: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="sm" fw={500}>
        Redirect URL to register in NinjaOne
      </Text>
      <Text size="xs" c="dimmed">
        NinjaOne → Administration → Apps → API → your client app → Redirect URIs. Register exactly this address.
      </Text>
      <Group mt={6} gap="sm">
        <Code aria-label="Redirect URL">{url}</Code>
        <CopyButton value={url}>
          {({ copied, copy }) => (
            <Button size="xs" variant="light" onClick={copy}>
              {copied ? 'Copied' : 'Copy redirect URL'}
            </Button>
          )}
        </CopyButton>
      </Group>
    </Paper>
  );
}
