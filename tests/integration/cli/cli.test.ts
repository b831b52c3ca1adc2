// The real `nnlab` launcher as a child process against a fresh NNLAB_HOME, as a person would run
// it after `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../../../bin/nnlab.js', import.meta.url));
let home: string;

function nnlab(...args: string[]) {
  // Run from the temp folder: the launcher must not depend on the working directory.
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: home,
    env: { ...process.env, NNLAB_HOME: home, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'nnlab-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('nnlab datasets', () => {
  it('imports a sample into a fresh data folder, lists it, shows it and removes it', () => {
    const imported = nnlab('datasets', 'import', 'sample:xor', '--name', 'xor', '--json');
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const dataset = JSON.parse(imported.stdout) as { id: string; name: string; rows: number };
    expect(dataset).toMatchObject({ name: 'xor', rows: 400 });
    expect(existsSync(join(home, 'nnlab.sqlite'))).toBe(true);

    const csv = join(home, 'houses.csv');
    writeFileSync(
      csv,
      'size,rooms,price\n' +
        Array.from({ length: 30 }, (_, i) => `${50 + i},${1 + (i % 4)},${100 + 3 * i}`).join('\n'),
    );
    const fromFile = nnlab('datasets', 'import', 'houses.csv', '--target', 'price');
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/Imported houses .*30 rows, regression/);

    const list = nnlab('datasets', 'list', '--json');
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((d) => d.name).sort();
    expect(names).toEqual(['houses', 'xor']);

    const show = nnlab('datasets', 'show', 'xor');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('classification, 400 rows');

    expect(nnlab('datasets', 'rm', dataset.id).code).toBe(0);
    expect((JSON.parse(nnlab('datasets', 'list', '--json').stdout) as unknown[]).length).toBe(1);
  });

  it('exits with 2 and a clear message on bad usage and bad input', () => {
    const unknownOption = nnlab('datasets', 'import', 'sample:xor', '--colour', 'red');
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toContain("Unknown option '--colour'");

    const badSample = nnlab('datasets', 'import', 'sample:nope');
    expect(badSample.code).toBe(2);
    expect(badSample.stderr).toMatch(/No sample 'nope'.*xor/);

    const missing = nnlab('datasets', 'import', 'missing.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No such file or folder: missing.csv');

    const badCsv = join(home, 'bad.csv');
    writeFileSync(badCsv, 'a,b\n1,2\n3\n');
    const malformed = nnlab('datasets', 'import', 'bad.csv');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.csv line 3/);

    // Through a symlink, as npm installs it in node_modules/.bin.
    const link = join(home, 'node_modules', '.bin', 'nnlab');
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(bin, link);
    const viaLink = spawnSync(process.execPath, [link, 'datasets', 'list', '--json'], {
      cwd: tmpdir(),
      env: { ...process.env, NNLAB_HOME: home },
      encoding: 'utf8',
    });
    expect(viaLink.status).toBe(0);

    const unknownCommand = nnlab('fly');
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toContain("Unknown command 'fly'");
  });
});

describe('nnlab serve', () => {
  it('prints a URL with a token, serves the API with it, refuses without it, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve'], {
      cwd: home,
      env: { ...process.env, NNLAB_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const pageUrl = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /Open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stdout}`)));
      });
      const url = new URL(pageUrl);
      const token = url.searchParams.get('token')!;
      const refused = await fetch(`${url.origin}/api/call/datasets:list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(401);
      const listed = await fetch(`${url.origin}/api/call/datasets:list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-nnlab-token': token },
        body: '{}',
      });
      expect(listed.status).toBe(200);
      expect(
        ((await listed.json()) as { datasets: { name: string }[] }).datasets.map((d) => d.name),
      ).toContain('houses');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
