// Process entry for running the CLI from source (tests spawn it with `node --import tsx`).
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2));
