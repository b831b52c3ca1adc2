/**
 * `npm run bench`: runs each benchmark group in turn, then prints every result as tables and
 * as JSON. Add a group by appending its function to `groups`.
 */
import { benchMatmul } from './matmul.js';
import { printJson, printTable, type BenchRow } from './report.js';

const groups: (() => Promise<BenchRow[]>)[] = [benchMatmul];

const rows: BenchRow[] = [];
for (const group of groups) rows.push(...(await group()));
printTable(rows);
printJson(rows);
