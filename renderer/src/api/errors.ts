// Turns whatever a call threw into one sentence a person can act on.
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    // Errors that crossed Electron's context bridge carry the invoke prefix; drop it.
    return error.message.replace(/^Error invoking remote method '[^']+': (?:\w*Error: )?/, '');
  }
  if (typeof error === 'string') return error;
  return 'Something went wrong (no details were given).';
}
