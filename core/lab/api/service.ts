// The LabService: the host-side implementation of the LabApi contract. Every request is validated
// against its channel's schema before a handler sees it, and every response is checked on the way
// out, so each transport (Electron IPC, the WebSocket server, in-process calls) gets the same
// guarantees. Events from imports and runs fan out to every subscriber.
import type { Store } from '../store/index.js';
import { createLabClient } from './client.js';
import { compareRuns } from './compare.js';
import {
  channels,
  LabError,
  parseOrThrow,
  type Channel,
  type LabApi,
  type LabEvent,
  type LabEventListener,
  type ParsedRequestOf,
  type ResponseOf,
  type RunDetail,
  type Unsubscribe,
} from './contract.js';
import { DatasetsHandlers } from './datasets-handlers.js';
import type { RunsPort } from './runs-port.js';

export interface LabServiceOptions {
  store: Store;
  /** The data folder: datasets/, artifacts and the database live under it. */
  dataDir: string;
  /** The runs side; without it, runs, models and compare answer with an error. */
  runs?: RunsPort;
}

type Handlers = {
  [C in Channel]: (request: ParsedRequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>>;
};

export class LabService {
  readonly store: Store;
  readonly dataDir: string;
  private readonly listeners = new Set<LabEventListener>();
  private readonly datasets: DatasetsHandlers;
  private readonly runsPort: RunsPort | undefined;
  private readonly unsubscribeRuns: Unsubscribe | undefined;
  private readonly handlers: Handlers;
  private closed = false;

  constructor(options: LabServiceOptions) {
    this.store = options.store;
    this.dataDir = options.dataDir;
    this.runsPort = options.runs;
    this.datasets = new DatasetsHandlers({
      store: this.store,
      dataDir: this.dataDir,
      emit: (e) => this.emit(e),
    });
    this.unsubscribeRuns = this.runsPort?.subscribe((event) => this.emit(event));
    this.handlers = this.createHandlers();
  }

  /**
   * Validates `request` for `channel`, runs it, and returns the checked response. Failures are
   * LabErrors: bad-request (with the invalid fields), not-found, conflict, cancelled, internal.
   */
  async call<C extends Channel>(channel: C, request: unknown): Promise<ResponseOf<C>> {
    if (this.closed) throw new LabError('conflict', 'The lab service has shut down.');
    const spec = channels[channel] as (typeof channels)[Channel] | undefined;
    if (!spec) throw new LabError('bad-request', `Unknown channel '${String(channel)}'.`);
    const parsed = parseOrThrow(spec.request, request ?? {}, `request for ${channel}`) as ParsedRequestOf<C>;
    let response: ResponseOf<C>;
    try {
      response = await this.handlers[channel](parsed);
    } catch (error) {
      throw toLabError(error);
    }
    const checked = spec.response.safeParse(response);
    if (!checked.success) {
      throw new LabError('internal', `The ${channel} response broke the contract: ${checked.error.message}`);
    }
    return checked.data as ResponseOf<C>;
  }

  subscribe(listener: LabEventListener): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The LabApi in process (the CLI, tests): the same validation as any transport. */
  api(): LabApi {
    return createLabClient({
      request: (channel, request) => this.call(channel, request),
      subscribe: (listener) => this.subscribe(listener),
    });
  }

  /** Cancels imports in flight and shuts the runs side down. The store stays open: its owner closes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.datasets.abortAll();
    this.unsubscribeRuns?.();
    await this.runsPort?.shutdown();
    this.listeners.clear();
  }

  private emit(event: LabEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber must not stop the others, nor the import or run that emitted.
      }
    }
  }

  private runs(): RunsPort {
    if (!this.runsPort) throw new LabError('internal', 'Runs are not available in this host.');
    return this.runsPort;
  }

  private run(id: string): RunDetail {
    const run = this.runs().get(id);
    if (!run) throw new LabError('not-found', `No run with id '${id}'.`);
    return run;
  }

  private createHandlers(): Handlers {
    const datasets = this.datasets;
    return {
      'datasets:import': (request) => datasets.import(request),
      'datasets:cancelImport': (request) => datasets.cancelImport(request),
      'datasets:list': () => datasets.list(),
      'datasets:get': (request) => datasets.get(request),
      'datasets:preview': (request) => datasets.preview(request),
      'datasets:rename': (request) => datasets.rename(request),
      'datasets:delete': (request) => datasets.delete(request),
      'datasets:samples': () => datasets.samples(),

      'runs:create': (request) => this.runs().create(request),
      'runs:list': (request) => this.runs().list(request),
      'runs:get': (request) => this.run(request.id),
      'runs:series': (request) => {
        this.run(request.runId);
        return this.runs().series(request);
      },
      'runs:cancel': (request) => this.runs().cancel(this.run(request.id).id),
      'runs:pause': (request) => this.runs().pause(this.run(request.id).id),
      'runs:resume': (request) => this.runs().resume(this.run(request.id).id),
      'runs:delete': (request) =>
        this.runs()
          .delete(request.id)
          .then((deleted) => ({ deleted })),
      'runs:tag': (request) => ({
        id: request.id,
        tags: this.runs().tag(this.run(request.id).id, request.add, request.remove),
      }),
      'runs:note': (request) => this.runs().note(this.run(request.id).id, request.notes),
      'runs:tags': () => ({ tags: this.runs().tags() }),
      'runs:health': (request) => ({ runId: request.runId, layers: this.runs().health(request.runId) }),
      'runs:evaluation': (request) => ({
        runId: request.runId,
        evaluation: this.runs().evaluation(request.runId),
      }),
      'runs:diagnose': (request) => ({
        runId: request.runId,
        diagnosis: this.runs().diagnose(request.runId),
      }),
      'devices:detect': (request) => this.runs().detectDevice(request.refresh),

      'models:list': () => ({ models: this.runs().listModels() }),
      'models:save': async (request) => {
        this.run(request.runId);
        const model = await this.runs().saveModel(request);
        this.emit({ type: 'models:changed', modelId: model.id });
        return model;
      },
      'models:delete': async (request) => {
        const deleted = await this.runs().deleteModel(request.id);
        if (deleted) this.emit({ type: 'models:changed', modelId: request.id });
        return { deleted };
      },
      'models:export': (request) => this.runs().exportModel(request.id),
      'models:predict': (request) => this.runs().predict(request),

      'compare:runs': (request) => {
        const runs = request.runIds.map((id) => this.run(id));
        const series = runs.map(
          (run) =>
            this.runs().series({
              runId: run.id,
              axis: request.axis,
              maxPoints: request.maxPoints,
              ...(request.metrics && { metrics: request.metrics }),
            }).series,
        );
        const epochSeries = runs.map(
          (run) => this.runs().series({ runId: run.id, axis: 'epoch', maxPoints: 10_000 }).series,
        );
        const evaluations = runs.map((run) => this.runs().evaluation(run.id));
        return compareRuns({
          runs,
          series,
          epochSeries,
          evaluations,
          maxPoints: request.maxPoints,
          at: request.at,
        });
      },
    };
  }
}

/** Anything a handler throws becomes a LabError; unexpected errors keep their message. */
export function toLabError(error: unknown): LabError {
  if (error instanceof LabError) return error;
  if (error instanceof Error) {
    const named = error as Error & { code?: unknown };
    if (named.code === 'ENOENT') return new LabError('not-found', error.message);
    return new LabError('internal', error.message);
  }
  return new LabError('internal', String(error));
}
