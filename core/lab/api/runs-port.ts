// What the LabService needs from the runs side (core/lab/runs), phrased in the contract's own
// shapes. `runs-adapter.ts` implements it on the RunManager and the runs repositories; tests can
// implement it with a fake.
import type {
  ClassificationEvaluation,
  DeviceReport,
  LabEvent,
  LayerHealthSeries,
  ModelSummary,
  ParsedRequestOf,
  ResponseOf,
  RunDetail,
  RunDiagnosis,
  RunSummary,
  Unsubscribe,
} from './contract.js';

export interface RunsPort {
  /** Starts the run queue (a host that trains or serves calls it; read-only commands need not). */
  start(): void;
  create(request: ParsedRequestOf<'runs:create'>): Promise<RunSummary>;
  list(request: ParsedRequestOf<'runs:list'>): ResponseOf<'runs:list'>;
  /** Undefined when there is no such run. */
  get(id: string): RunDetail | undefined;
  series(request: ParsedRequestOf<'runs:series'>): ResponseOf<'runs:series'>;
  cancel(id: string): Promise<RunSummary>;
  pause(id: string): Promise<RunSummary>;
  resume(id: string): Promise<RunSummary>;
  /** False when there was no such run. */
  delete(id: string): Promise<boolean>;
  tag(id: string, add: string[], remove: string[]): string[];
  note(id: string, notes: string): RunSummary;
  /** Every tag in use with its number of runs, most used first. */
  tags(): { tag: string; runs: number }[];
  /** Per-layer health by epoch, in model order. */
  health(id: string): LayerHealthSeries[];
  /** The final classification evaluation, or null. */
  evaluation(id: string): ClassificationEvaluation | null;
  diagnose(id: string): RunDiagnosis;
  /** The GPU adapter a run would get, or why none (probed in a trainer process, cached). */
  detectDevice(refresh: boolean): Promise<DeviceReport>;

  listModels(): ModelSummary[];
  saveModel(request: ParsedRequestOf<'models:save'>): Promise<ModelSummary>;
  deleteModel(id: string): Promise<boolean>;
  /** The absolute path of a saved model's file (by id or name), for `nnlab models export`. */
  modelFile(idOrName: string): string | undefined;
  /** A saved model's file read whole, named after the model (refused past MODEL_EXPORT_MAX_BYTES). */
  exportModel(id: string): Promise<ResponseOf<'models:export'>>;
  predict(request: ParsedRequestOf<'models:predict'>): Promise<ResponseOf<'models:predict'>>;

  /** Run progress and status, already in the contract's event shapes. */
  subscribe(listener: (event: LabEvent) => void): Unsubscribe;
  shutdown(): Promise<void>;
}
