/**
 * zod's English messages for the checks that carry none of their own (a stored
 * record's `version` that is not a number, a step input missing a field). The
 * Lambda code imports `zod/mini`, which loads no locale: without this import those
 * issues would all read "Invalid input". Every module that builds a schema imports
 * this one, so the messages are set before anything is parsed.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
