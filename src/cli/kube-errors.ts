// Kubeconfig problems as CLI errors: an unknown --context is bad usage (exit 2);
// a broken or missing kubeconfig is a runtime error (exit 1). Either is one line.
import { CliError, ExitCode } from './exit-codes.ts';

export function kubeConfigCliError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'KubeConfigError') {
    return new CliError(err.message, err.message.startsWith('context "') ? ExitCode.USAGE : ExitCode.ERROR);
  }
  return err;
}
