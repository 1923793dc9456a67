#!/usr/bin/env node
// The `humangov` CLI (and `npm start`, which runs `humangov up`). Everything is in src/cli/.
import { run } from '../src/cli/program.ts';

process.exitCode = await run(process.argv.slice(2));
