/** A radio group where each choice carries a short explanation (record type, installation, preference). */
import { Radio, Stack, Text } from '@mantine/core';

export interface Choice<V extends string> {
  readonly value: V;
  readonly label: string;
  readonly help: string;
}

export function ChoiceGroup<V extends string>({
  label,
  value,
  onChange,
  choices,
  error,
  disabled,
}: {
  label: string;
  value: V;
  onChange: (value: V) => void;
  choices: readonly Choice<V>[];
  error?: string | undefined;
  disabled?: boolean;
}) {
  return (
    <Radio.Group label={label} value={value} onChange={(v) => onChange(v)} error={error}>
      <Stack gap={6} mt={4}>
        {choices.map((c) => (
          <Radio
            key={c.value}
            value={c.value}
            disabled={disabled ?? false}
            label={c.label}
            description={
              <Text size="xs" c="dimmed" span>
                {c.help}
              </Text>
            }
          />
        ))}
      </Stack>
    </Radio.Group>
  );
}
