#!/usr/bin/env node
import { runUp } from '../src/local/runtime/up.ts';

await runUp();
