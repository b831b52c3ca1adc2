// Bias/variance diagnoses of runs, by run id. The host computes them from a run's curves and layer
// health; a diagnosis is cached here until the run's status changes (a finished run's is final).
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { lab } from '../api/index.js';
import { errorMessage } from '../api/errors.js';
import type { RunDiagnosis, RunStatus } from '../../../core/lab/api/contract.js';

export interface DiagnosisEntry {
  /** The run status it was computed at: a new status means new evidence. */
  status: RunStatus;
  diagnosis: RunDiagnosis | null;
  error: string | null;
  loading: boolean;
}

export const useDiagnosisStore = defineStore('diagnosis', () => {
  /** Replaced whole on every change so views re-read it. */
  const entries = shallowRef(new Map<string, DiagnosisEntry>());

  function put(runId: string, entry: DiagnosisEntry) {
    const next = new Map(entries.value);
    next.set(runId, entry);
    entries.value = next;
  }

  async function load(runId: string, status: RunStatus) {
    const known = entries.value.get(runId);
    if (known && known.status === status && (known.loading || known.diagnosis)) return;
    put(runId, { status, diagnosis: known?.diagnosis ?? null, error: null, loading: true });
    try {
      const { diagnosis } = await lab.runs.diagnose({ runId });
      put(runId, { status, diagnosis, error: null, loading: false });
    } catch (error) {
      put(runId, { status, diagnosis: null, error: errorMessage(error), loading: false });
    }
  }

  return { entries, load };
});
