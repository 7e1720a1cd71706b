// bin/node-flags as a list: the flags bin/netscope runs the checkout's Node with (one a
// line, `#` comments), which the single executable embeds as its execArgv and the
// benches give the Node processes they start in netscope's place.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function nodeFlags(root: string): string[] {
  return readFileSync(join(root, 'bin', 'node-flags'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
