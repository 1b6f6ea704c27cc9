/**
 * The app's Mantine theme (`theme`: defaults every screen shares, such as a name for a modal's ×)
 * and colours that pass WCAG AA contrast (4.5:1), checked by axe-core in test/browser/screens.test.ts:
 * Mantine's default shades put blue, green, orange, yellow and grey text (and white text on filled
 * buttons and badges) below it, so light, outline and filled variants and dimmed text use darker
 * shades of the same colours.
 *
 * @example
 * <MantineProvider theme={theme} cssVariablesResolver={contrastVariables}>…</MantineProvider>
 */
import { createTheme, Modal } from '@mantine/core';

import type { CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  components: {
    // Mantine's × in a modal's header is an icon with no name: a screen reader says only "button".
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

const shades: Record<string, { text: string; filled: string }> = {
  blue: { text: '#1864ab', filled: '#1971c2' },
  green: { text: '#1f6b30', filled: '#237032' },
  orange: { text: '#a63a09', filled: '#b8400c' },
  yellow: { text: '#7d4f00', filled: '#8f5b00' },
  red: { text: '#b02525', filled: '#c92a2a' },
  gray: { text: '#40464d', filled: '#495057' },
  teal: { text: '#0b6b5f', filled: '#0c7a6c' },
  violet: { text: '#5f3dc4', filled: '#6741d9' },
};

export const contrastVariables: CSSVariablesResolver = () => {
  const light: Record<string, string> = {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-anchor': '#1864ab',
    '--mantine-primary-color-filled': '#1971c2',
    '--mantine-primary-color-filled-hover': '#1864ab',
    '--mantine-primary-color-light-color': '#1864ab',
  };
  for (const [colour, { text, filled }] of Object.entries(shades)) {
    light[`--mantine-color-${colour}-light-color`] = text;
    light[`--mantine-color-${colour}-outline`] = text;
    light[`--mantine-color-${colour}-text`] = text;
    light[`--mantine-color-${colour}-filled`] = filled;
    light[`--mantine-color-${colour}-filled-hover`] = text;
  }
  return { variables: {}, light, dark: {} };
};
