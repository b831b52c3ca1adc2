// Compare: the chosen runs side by side, read at the last epoch, the best epoch of one metric, or
// a chosen epoch. Series arrive already aligned on one x axis from the host.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { lab } from '../api/index.js';
import type { CompareAt, CompareResult } from '../../../core/lab/api/contract.js';

export type ReadAt = 'last' | 'best' | 'epoch';

export const useCompareStore = defineStore('compare', () => {
  const runIds = ref<string[]>([]);
  const readAt = ref<ReadAt>('last');
  /** For `best`: the metric as `split/name`. */
  const bestMetric = ref('validation/loss');
  const bestMode = ref<'auto' | 'min' | 'max'>('auto');
  /** For `epoch`: counted from 1, as everywhere in the UI (the host counts from 0). */
  const epoch = ref(1);
  /** Large (every series of every run): shallow, replaced whole. */
  const result = shallowRef<CompareResult | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  const metricKeys = computed(() => (result.value?.series ?? []).map((s) => `${s.split}/${s.name}`));

  function at(): CompareAt {
    if (readAt.value === 'epoch') return { kind: 'epoch', epoch: Math.max(0, Math.floor(epoch.value) - 1) };
    if (readAt.value === 'best') {
      const [split, ...rest] = bestMetric.value.split('/');
      const metric = { split: split ?? 'validation', name: rest.join('/') || 'loss' };
      return bestMode.value === 'auto'
        ? { kind: 'best', metric }
        : { kind: 'best', metric, mode: bestMode.value };
    }
    return { kind: 'last' };
  }

  async function load(ids: string[] = runIds.value) {
    runIds.value = [...ids];
    error.value = null;
    if (!ids.length) {
      result.value = null;
      return;
    }
    loading.value = true;
    try {
      result.value = await lab.compare.runs({ runIds: ids, at: at(), maxPoints: 2000 });
    } catch (caught) {
      error.value = caught instanceof Error ? caught.message : String(caught);
    } finally {
      loading.value = false;
    }
  }

  function removeRun(id: string) {
    return load(runIds.value.filter((x) => x !== id));
  }

  return { runIds, readAt, bestMetric, bestMode, epoch, result, loading, error, metricKeys, load, removeRun };
});
