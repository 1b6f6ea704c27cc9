/** Entry point: Mantine's provider and styles around the app. */
import '@mantine/core/styles.css';
import './app.css';

import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './app.tsx';
import { contrastVariables, theme } from './theme.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="light" cssVariablesResolver={contrastVariables}>
      <App />
    </MantineProvider>
  </StrictMode>,
);
