#!/usr/bin/env node
// `npm pack` runs this first: the package ships web/dist (its build tools are dev dependencies), so
// build it when it is missing or older than its sources, with the same check `serve` uses.
import { register } from 'tsx/esm/api';

register();
const { ensureWebBuild, webRoot } = await import('../src/server/web-build.ts');
if (await ensureWebBuild()) process.stderr.write(`built the web UI into ${webRoot}dist\n`);
