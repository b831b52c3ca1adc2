// Saved models: the list, saving one from a run, predicting with it, deleting it.
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { lab } from '../api/index.js';
import type { LabEvent, ModelSummary, PredictRequest, ResponseOf } from '../../../core/lab/api/contract.js';

export type PredictResult = ResponseOf<'models:predict'>;

export const useModelsStore = defineStore('models', () => {
  const models = ref<ModelSummary[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  const result = shallowRef<PredictResult | null>(null);
  const predicting = ref(false);

  async function refresh() {
    models.value = (await lab.models.list()).models;
    loaded.value = true;
    if (selectedId.value && !models.value.some((model) => model.id === selectedId.value))
      selectedId.value = null;
  }

  function select(id: string | null) {
    selectedId.value = id;
    result.value = null;
  }

  async function save(runId: string, name: string, checkpoint: 'best' | 'last' = 'best') {
    const model = await lab.models.save({ runId, name, checkpoint });
    await refresh();
    return model;
  }

  async function predict(input: PredictRequest['input']) {
    if (!selectedId.value) throw new Error('Choose a model first.');
    predicting.value = true;
    try {
      result.value = await lab.models.predict({ modelId: selectedId.value, input });
      return result.value;
    } finally {
      predicting.value = false;
    }
  }

  /** The saved model's file, as the host stores it (what `nnlab models export` writes). */
  async function exportFile(id: string): Promise<{ fileName: string; bytes: Uint8Array<ArrayBuffer> }> {
    const file = await lab.models.export({ id });
    const binary = atob(file.contentBase64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return { fileName: file.fileName, bytes };
  }

  async function remove(id: string) {
    await lab.models.delete({ id });
    if (selectedId.value === id) select(null);
    await refresh();
  }

  function onEvent(event: LabEvent) {
    if (event.type === 'models:changed') void refresh().catch(() => undefined);
  }

  let unsubscribe: (() => void) | null = null;
  function start() {
    unsubscribe ??= lab.subscribe(onEvent);
    return refresh();
  }
  function stop() {
    unsubscribe?.();
    unsubscribe = null;
  }

  return {
    models,
    loaded,
    selectedId,
    result,
    predicting,
    refresh,
    select,
    save,
    predict,
    exportFile,
    remove,
    start,
    stop,
  };
});
