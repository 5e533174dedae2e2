import { config } from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod for the Lambdas: its tree-shakable API, `zod/mini`. The classic `zod` import is one object
 * of methods that esbuild cannot trim: about 420 KB of every bundle that validated anything,
 * against some 30 KB for what these schemas use. Both share zod's core, so the checks and issues
 * are the same; only the default messages differ, as `zod/mini` loads no locale and says
 * "Invalid input" for everything. English is loaded here, once, so that a field of the wrong type
 * still reads "Invalid input: expected number, received string": users see these messages.
 *
 * Import it as a namespace (`import * as z from './zod'`): esbuild then keeps only the members used.
 */
config(en());

export * from 'zod/mini';
