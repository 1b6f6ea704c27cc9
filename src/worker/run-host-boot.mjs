// The first module of the runs' worker thread (see run-host.ts). A worker thread does not inherit
// the TypeScript loader of the thread that started it (bin/ninja-sync.js registers tsx for the main
// thread only), so this plain JavaScript registers tsx here and then loads the TypeScript entry.
import { register } from 'tsx/esm/api';

register();
await import('./run-host-entry.ts');
