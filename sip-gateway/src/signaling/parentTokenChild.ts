/**
 * Test helper run as a child process (ParentToken.test.ts): takes its token
 * from the parent and reports the current one after every message.
 */
import { ParentToken } from './ParentToken.ts';

const token = await ParentToken.fromParent(5000);
process.send?.({ current: token.current });
process.on('message', () => setImmediate(() => process.send?.({ current: token.current })));
process.on('disconnect', () => process.exit(0));
