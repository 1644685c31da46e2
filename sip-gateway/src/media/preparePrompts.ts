/**
 * Setup step: synthesise every fixed voice prompt into a cache directory.
 *   node --import tsx sip-gateway/src/media/preparePrompts.ts <cacheDir>
 */
import { PromptLibrary } from './PromptLibrary.ts';

const cacheDir = process.argv[2];
if (cacheDir === undefined || cacheDir === '') {
  process.stderr.write('usage: preparePrompts.ts <cacheDir>\n');
  process.exit(2);
}

try {
  await new PromptLibrary({ cacheDir }).prepare();
  process.stdout.write(`voice prompts ready in ${cacheDir}\n`);
} catch (error) {
  process.stderr.write(`voice prompts failed: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.cause !== undefined) process.stderr.write(`${String(error.cause)}\n`);
  process.exit(1);
}
