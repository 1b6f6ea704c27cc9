/**
 * What the server could not check, as a save or a preview answered it (`warnings[]`): e.g. the
 * mapping against Oomnitza's data model when the instance did not answer. Shown where the save or
 * the preview happened, in words, never blocking: the save went through.
 *
 * @example
 * <SaveWarnings title="Saved, but not checked against Oomnitza" warnings={saved.warnings} />
 */
import { Alert, List } from '@mantine/core';

export interface Warning {
  readonly path: string;
  readonly message: string;
}

/** The server's sentence as a person reads it: capital first, full stop last. */
export function warningText(message: string): string {
  const text = message.trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

export function SaveWarnings({ title, warnings }: { title: string; warnings: readonly Warning[] }) {
  if (warnings.length === 0) return null;
  const texts = [...new Set(warnings.map((w) => warningText(w.message)))];
  return (
    <Alert color="yellow" role="status" title={title}>
      {texts.length === 1 ? (
        texts[0]
      ) : (
        <List size="sm">
          {texts.map((t) => (
            <List.Item key={t}>{t}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
