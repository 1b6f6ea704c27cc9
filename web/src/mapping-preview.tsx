/**
 * The preview panel of the mapping page: the first NinjaOne users as they would be written to
 * Oomnitza (one column per Oomnitza field), the users the filters drop with the rule that dropped
 * each, and the users whose expressions fail, and what could not be checked (its warnings). It shows
 * what the tenant holds now; nothing is written.
 */
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';

import { problemCount } from './mapping-problems.ts';
import { SaveWarnings } from './save-warnings.tsx';
import { ScrollTable } from './scroll-table.tsx';

import type { PreviewProblem, PreviewState } from './use-preview.ts';

/** A value as a cell shows it: empty for null, lists comma-separated, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function ReasonTable({ name, records, color = 'inherit' }: { name: string; records: readonly PreviewProblem[]; color?: string }) {
  return (
    <ScrollTable label={name} minWidth={400}>
      <Table aria-label={name} fz="xs" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>NinjaOne user</Table.Th>
            <Table.Th>Why</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {records.map((r) => (
            <Table.Tr key={r.sourceId}>
              <Table.Td>{r.label}</Table.Td>
              <Table.Td c={color} data-testid={`preview-reason-${r.sourceId}`}>
                {r.reason}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollTable>
  );
}

export function MappingPreview({ preview, fields }: { preview: PreviewState; fields: readonly string[] }) {
  const { data, error, fieldErrors, busy, refresh } = preview;
  const problems = Object.keys(fieldErrors).length;
  return (
    <Stack gap={6} role="region" aria-label="Preview">
      <Group justify="space-between">
        <Title order={4}>Preview</Title>
        <Group gap="xs">
          {busy && <Loader size="xs" role="status" aria-label="Loading preview" />}
          <Button size="xs" variant="light" onClick={refresh}>
            Refresh preview
          </Button>
        </Group>
      </Group>
      <Text size="xs" c="dimmed">
        The first NinjaOne users as this mapping would write them to Oomnitza, read now from the tenant. Nothing is written.
      </Text>
      {error && (
        <Alert color="yellow" title="No preview" role="status">
          {/* The problems themselves show beside their fields; repeating them here would say it twice. */}
          {problems > 0
            ? `The mapping has ${problemCount(problems)}, shown beside ${problems === 1 ? 'its field' : 'their fields'}; the preview follows once they are fixed.`
            : error}
        </Alert>
      )}
      {/* Records of an earlier mapping would be read as this one's: none while the preview fails. */}
      {data && !error && (
        <>
          <SaveWarnings title="Not everything could be checked" warnings={data.warnings} />
          <Group gap="xs" role="status" aria-label="Preview counts">
            <Badge variant="light">{data.total} users</Badge>
            <Badge variant="light" color="green">
              {data.keptTotal} kept
            </Badge>
            <Badge variant="light" color="gray">
              {data.droppedTotal} dropped by filters
            </Badge>
            {data.failedTotal > 0 && (
              <Badge variant="light" color="red">
                {data.failedTotal} failing
              </Badge>
            )}
          </Group>
          {data.kept.length > 0 && (
            <ScrollTable label="Records as written" minWidth={600}>
              <Table aria-label="Records as written" fz="xs" striped>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>NinjaOne user</Table.Th>
                    {fields.map((f) => (
                      <Table.Th key={f}>{f}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.kept.map((r) => (
                    <Table.Tr key={r.sourceId}>
                      <Table.Td>{r.label}</Table.Td>
                      {fields.map((f) => (
                        <Table.Td key={f} data-testid={`preview-${r.sourceId}-${f}`}>
                          {cellText(r.fields[f])}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollTable>
          )}
          {data.dropped.length > 0 && (
            <>
              <Title order={5}>
                Dropped by the filters
                {data.droppedTotal > data.dropped.length ? ` (first ${data.dropped.length} of ${data.droppedTotal})` : ''}
              </Title>
              <ReasonTable name="Dropped records" records={data.dropped} />
            </>
          )}
          {data.failed.length > 0 && (
            <>
              <Title order={5}>
                Failing{data.failedTotal > data.failed.length ? ` (first ${data.failed.length} of ${data.failedTotal})` : ''}
              </Title>
              <ReasonTable name="Failing records" records={data.failed} color="red" />
            </>
          )}
        </>
      )}
    </Stack>
  );
}
