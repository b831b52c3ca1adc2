/** The shared shape of benchmark results and two ways to print them. */

export type BenchRow = {
  group: string;
  name: string;
  impl: string;
  value: number;
  unit: string;
  note?: string;
};

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

/**
 * One table per group: a line per benchmark name, a column per implementation, cells
 * "value unit". Notes are listed under the table.
 */
export function printTable(rows: readonly BenchRow[], write: (line: string) => void = console.log): void {
  const groups = [...new Set(rows.map((r) => r.group))];
  for (const group of groups) {
    const inGroup = rows.filter((r) => r.group === group);
    const names = [...new Set(inGroup.map((r) => r.name))];
    const impls = [...new Set(inGroup.map((r) => r.impl))];
    const cell = (name: string, impl: string) => {
      const row = inGroup.find((r) => r.name === name && r.impl === impl);
      return row ? `${formatValue(row.value)} ${row.unit}${row.note ? ' *' : ''}` : '–';
    };
    const table = [['', ...impls], ...names.map((name) => [name, ...impls.map((impl) => cell(name, impl))])];
    const widths = table[0]!.map((_, col) => Math.max(...table.map((line) => line[col]!.length)));
    const render = (line: string[]) =>
      '| ' +
      line
        .map((text, col) => (col === 0 ? text.padEnd(widths[col]!) : text.padStart(widths[col]!)))
        .join(' | ') +
      ' |';
    write(`\n${group}`);
    write(render(table[0]!));
    write(
      '|' + widths.map((w, col) => (col === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|',
    );
    for (const line of table.slice(1)) write(render(line));
    for (const row of inGroup.filter((r) => r.note)) write(`  * ${row.name}, ${row.impl}: ${row.note}`);
  }
}

export function printJson(rows: readonly BenchRow[], write: (line: string) => void = console.log): void {
  write(JSON.stringify(rows, null, 2));
}
