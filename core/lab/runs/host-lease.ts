// A host's lease on the runs it owns. Several host processes (the CLI, `nnlab serve`, the desktop
// app) may open one database; each registers a row in `hosts` and refreshes its heartbeat, and
// each judges the others alive or gone. Only runs of hosts that are gone are marked
// `interrupted`: a live neighbour's run is never touched.
//
// Alive means: on this machine, the host's pid exists and (where the OS says when a pid started)
// it is the same process, not a reused pid; elsewhere, or without a start mark, a heartbeat
// younger than the lease. So a host killed with SIGKILL is seen gone at once on its own machine.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  adoptQueuedRuns,
  deleteHosts,
  getHost,
  insertHost,
  listHosts,
  markOrphanedRunsInterrupted,
  touchHost,
  type HostRow,
  type Store,
} from '../store/index.js';

/** The OS's start mark of a process: Linux's start time in clock ticks since boot, else null. */
export function processStartMark(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `host` is still alive, seen from this process at `now`. */
export function hostAlive(host: HostRow, now: number, leaseMs: number): boolean {
  const fresh = now - host.heartbeatAt <= leaseMs;
  if (host.hostname !== hostname()) return fresh;
  if (!pidExists(host.pid)) return false;
  if (host.processStart === null) return fresh;
  const mark = processStartMark(host.pid);
  return mark === null ? fresh : mark === host.processStart;
}

export interface SweepResult {
  /** Runs of gone hosts now marked `interrupted`. */
  interrupted: string[];
  /** Every queued run this host owns, oldest first (its own and those it adopted). */
  queued: string[];
}

/** This process's registration as a host of the database. */
export class HostLease {
  readonly id = randomUUID();
  private registered = false;

  constructor(
    private readonly store: Store,
    /** A host whose liveness only its heartbeat can tell is gone after this many ms without one. */
    readonly leaseMs: number,
  ) {}

  /** Registers the host (once). */
  ensure(): string {
    if (this.registered) return this.id;
    const now = Date.now();
    insertHost(this.store, {
      id: this.id,
      pid: process.pid,
      hostname: hostname(),
      processStart: processStartMark(process.pid),
      startedAt: now,
      heartbeatAt: now,
    });
    this.registered = true;
    return this.id;
  }

  /**
   * Refreshes the heartbeat, and re-registers when another host removed the row (it judged this
   * one gone, e.g. after a long stall on another machine).
   */
  heartbeat(): void {
    if (!this.registered) return;
    if (!touchHost(this.store, this.id, Date.now()) && !getHost(this.store, this.id)) {
      this.registered = false;
      this.ensure();
    }
  }

  /**
   * Marks `interrupted` the running and paused runs of hosts that are gone (and of no host),
   * adopts their queued runs, and forgets the gone hosts; one immediate transaction, so two
   * hosts sweeping at once do not both act on the same rows.
   */
  sweep(now = Date.now()): SweepResult {
    this.ensure();
    return this.store.db
      .transaction(() => {
        const dead = listHosts(this.store)
          .filter((host) => host.id !== this.id && !hostAlive(host, now, this.leaseMs))
          .map((host) => host.id);
        const interrupted = markOrphanedRunsInterrupted(this.store, dead, now);
        const queued = adoptQueuedRuns(this.store, this.id, dead);
        deleteHosts(this.store, dead);
        return { interrupted, queued };
      })
      .immediate();
  }

  /** Whether the run's owner is another host that is alive. */
  ownedByLiveNeighbour(hostId: string | null): HostRow | undefined {
    if (hostId === null || hostId === this.id) return undefined;
    const host = getHost(this.store, hostId);
    return host && hostAlive(host, Date.now(), this.leaseMs) ? host : undefined;
  }

  /** Removes the registration (a clean shutdown); runs it still owned lose their owner. */
  release(): void {
    if (!this.registered) return;
    this.registered = false;
    try {
      deleteHosts(this.store, [this.id]);
    } catch {
      // The store may already be closed by its owner; the next host judges this one by its pid.
    }
  }
}
