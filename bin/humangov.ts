#!/usr/bin/env node
// The `humangov` CLI (and `npm start`, which runs `humangov up`). Everything is in src/cli/.
import { run } from '../src/cli/program.ts';
import { onOutputClosed } from '../src/kernel/closed-output.ts';

// `humangov tenant list | head -1`: the reader is gone and nobody is left to tell, so end quietly, as Unix tools do
// (`humangov up` first stops what it started: src/kernel/closed-output.ts).
process.stdout.on('error', (error: NodeJS.ErrnoException) => onOutputClosed(error, () => process.exit(process.exitCode ?? 0)));

process.exitCode = await run(process.argv.slice(2));
