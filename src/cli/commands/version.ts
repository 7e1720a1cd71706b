import type { Command } from '../command.ts';
import { versionLines } from '../version-info.ts';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print version, git commit, Node runtime and BPF object build id',
  async run(argv) {
    if (argv.includes('-h') || argv.includes('--help')) {
      process.stdout.write('Usage: netscope version\n\nPrint the netscope version, git commit, embedded Node version and BPF object build id.\n');
      return 0;
    }
    process.stdout.write(versionLines().join('\n') + '\n');
    return 0;
  },
};
