// Several hosts on one database (the CLI and the desktop app sharing one NNLAB_HOME): a host
// interrupts only the runs of hosts that are gone, never a live neighbour's, and a run is written
// by the host that trains it.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../../core/lab/paths.js';
import { hostAlive, HostLease, processStartMark } from '../../../core/lab/runs/host-lease.js';
import { RunManager, RunOwnedElsewhereError, type RunEvent } from '../../../core/lab/runs/run-manager.js';
import {
  getRun,
  insertHost,
  insertRun,
  listHosts,
  openStore,
  type Store,
} from '../../../core/lab/store/index.js';
import { createLab, nextEvent, spiralsConfig, type Lab } from './support.js';

let lab: Lab | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await lab?.close();
  lab = undefined;
});

/** A second host on the lab's database: its own connection and run manager. */
function secondHost(
  dir: string,
  heartbeatMs = 50,
): { store: Store; manager: RunManager; events: RunEvent[] } {
  const store = openStore(databasePath(dir));
  const manager = new RunManager({ store, dataDir: dir, flushIntervalMs: 50, heartbeatMs });
  const events: RunEvent[] = [];
  manager.subscribe((event) => events.push(event));
  cleanups.push(async () => {
    await manager.shutdown();
    store.close();
  });
  return { store, manager, events };
}

function until<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const value = check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out'));
      setTimeout(poll, 20);
    };
    poll();
  });
}

describe('two hosts on one database', () => {
  it('leave each other’s live runs alone; cancel is passed to the owner; each runs its own queue', async () => {
    lab = await createLab({ heartbeatMs: 50 });
    lab.manager.start();
    const first = lab.manager.createRun(spiralsConfig(5000), { name: 'long' });
    await nextEvent(lab, (e) => e.type === 'checkpoint' && e.runId === first.id);

    const other = secondHost(lab.dir);
    other.manager.start();
    // Starting (and a few heartbeats) leaves the first host's run running, its trainer alive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(getRun(other.store, first.id)!.status).toBe('running');
    expect(lab.manager.isActive(first.id)).toBe(true);
    expect(listHosts(other.store)).toHaveLength(2);

    // The second host trains its own run to the end, and never picks up the first's.
    const own = other.manager.createRun(spiralsConfig(2), { name: 'short' });
    expect((await other.manager.waitFor(own.id)).status).toBe('completed');
    expect(getRun(lab.store, own.id)!.hostId).toBe(other.manager.hostId);
    expect(lab.manager.isActive(own.id)).toBe(false);

    // Pause and delete are the owner's; cancel from the other host is passed on.
    expect(() => other.manager.pause(first.id)).toThrow(RunOwnedElsewhereError);
    await expect(other.manager.deleteRun(first.id)).rejects.toThrow(/another NN Lab process \(pid \d+/);
    expect(other.manager.cancel(first.id).status).toBe('running');
    const done = await lab.manager.waitFor(first.id);
    expect(done.status).toBe('cancelled');
    expect(lab.manager.isActive(first.id)).toBe(false);
    expect(lab.store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a live host marks a neighbour’s runs interrupted once that host is killed', async () => {
    lab = await createLab();
    const dir = lab.dir;
    const script = fileURLToPath(new URL('./fixtures/host.ts', import.meta.url));
    const host = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => void host.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      host.stdout.setEncoding('utf8');
      host.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('\n')) resolve(out.trim());
      });
      host.on('exit', (code) => reject(new Error(`host exited early with ${code}`)));
    });
    const runIds = line.split(' ').slice(1, 3);

    lab.manager.start(); // the test's own host, sharing the database
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const id of runIds) expect(getRun(lab.store, id)!.status).toBe('running');

    const exited = new Promise((resolve) => host.on('exit', resolve));
    host.kill('SIGKILL');
    await exited;
    // No restart: the live host's heartbeat sees the neighbour gone.
    await until(() =>
      runIds.every((id) => getRun(lab!.store, id)!.status === 'interrupted') ? true : undefined,
    );
    for (const id of runIds) expect(getRun(lab.store, id)!.error).toMatch(/host stopped/);
    expect(lab.events.filter((e) => e.type === 'status' && e.status === 'interrupted')).toHaveLength(2);
    expect(listHosts(lab.store).map((h) => h.pid)).toEqual([process.pid]);
  });
});

describe('whether a host is alive', () => {
  it('checks the pid and its start mark on this machine, the heartbeat elsewhere', async () => {
    lab = await createLab();
    const now = Date.now();
    const self = {
      id: 'a',
      pid: process.pid,
      hostname: hostname(),
      startedAt: now,
      heartbeatAt: now - 60_000,
    };
    const mark = processStartMark(process.pid);
    // Linux gives a start mark; the same pid with another mark is a reused pid: gone.
    if (mark !== null) {
      expect(hostAlive({ ...self, processStart: mark }, now, 1000)).toBe(true);
      expect(hostAlive({ ...self, processStart: `${mark}0` }, now, 1000)).toBe(false);
    }
    // Without a mark, the heartbeat decides.
    expect(hostAlive({ ...self, processStart: null }, now, 1000)).toBe(false);
    expect(hostAlive({ ...self, processStart: null, heartbeatAt: now }, now, 1000)).toBe(true);
    // Another machine: only the heartbeat.
    const remote = { ...self, hostname: `${hostname()}-elsewhere`, processStart: null };
    expect(hostAlive({ ...remote, heartbeatAt: now - 500 }, now, 1000)).toBe(true);
    expect(hostAlive({ ...remote, heartbeatAt: now - 5000 }, now, 1000)).toBe(false);

    // A sweep interrupts the runs of a stale remote host and adopts its queued runs.
    insertHost(lab.store, { ...remote, id: 'remote', heartbeatAt: now - 60_000 });
    const base = { config: {}, seed: 1, appVersion: 'test', createdAt: now, hostId: 'remote' };
    insertRun(lab.store, { ...base, id: 'r1', name: 'r1', status: 'running' });
    insertRun(lab.store, { ...base, id: 'r2', name: 'r2', status: 'queued' });
    const lease = new HostLease(lab.store, 1000);
    const { interrupted, queued } = lease.sweep(now);
    expect(interrupted).toEqual(['r1']);
    expect(queued).toEqual(['r2']);
    expect(getRun(lab.store, 'r2')!.hostId).toBe(lease.id);
    expect(listHosts(lab.store).map((h) => h.id)).toEqual([lease.id]);
    lease.release();
  });
});
