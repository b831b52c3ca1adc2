// "Did you mean …?" for misspelt option names: the closest valid name by edit distance, where
// a swapped pair of letters counts as one edit and case differences are nearly free.

/** Optimal-string-alignment distance (Damerau–Levenshtein without repeated edits of a substring). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/**
 * The valid name closest to `name`, or undefined when none is close enough to be a plausible
 * typo (more than a third of the name would have to change). Spelling variants that differ only
 * in case, `_` or `-` (`batch_size` for `batchSize`) always match.
 * @example suggestName('batchsize', ['batchSize', 'epochs']) // 'batchSize'
 */
export function suggestName(name: string, valid: readonly string[]): string | undefined {
  const wanted = normalise(name);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of valid) {
    const distance = editDistance(wanted, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(wanted.length, 3) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** `unknown option 'batchsize'; did you mean 'batchSize'? Valid options: a, b, c`. */
export function unknownNameMessage(kind: string, name: string, valid: readonly string[]): string {
  const suggestion = suggestName(name, valid);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : '.';
  const plural = /(s|x|sh|ch)$/.test(kind) ? `${kind}es` : `${kind}s`;
  return `unknown ${kind} '${name}'${hint} Valid ${plural}: ${valid.join(', ')}`;
}
