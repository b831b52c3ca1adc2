// The model being built: its layers, for which dataset, and the live summary. Pure view state:
// the network reaches the host only inside a run config (see the training store).
import { defineStore, storeToRefs } from 'pinia';
import { computed, ref, watch } from 'vue';
import { LAYER_TYPES, summarize, type LayerSpec, type LayerType } from '../model/layers.js';
import { PRESETS, type PresetTarget } from '../model/presets.js';
import { useDatasetsStore } from './datasets.js';

export const useBuilderStore = defineStore('builder', () => {
  const datasets = useDatasetsStore();
  const { datasets: list } = storeToRefs(datasets);
  const datasetId = ref<string | null>(null);
  const layers = ref<LayerSpec[]>([]);
  const presetId = ref<string | null>(null);

  const dataset = computed(() => list.value.find((d) => d.id === datasetId.value) ?? null);

  const target = computed<PresetTarget | null>(() => {
    const d = dataset.value;
    if (!d) return null;
    const classes = d.classNames?.length ?? 0;
    return {
      inputShape: d.featureShape,
      task: d.task,
      // Binary and multi-class both use one unit per class with softmax: the loss is sparse crossentropy.
      outputs: d.task === 'classification' ? Math.max(2, classes) : 1,
    };
  });

  const summary = computed(() =>
    summarize(
      layers.value,
      target.value?.inputShape ?? [1],
      target.value ? { task: target.value.task, outputs: target.value.outputs } : undefined,
    ),
  );

  // Follow the dataset the person last selected until they pick one here.
  watch(
    () => datasets.selectedId,
    (id) => {
      if (id && !datasetId.value) datasetId.value = id;
    },
    { immediate: true },
  );
  watch(list, (all) => {
    if (datasetId.value && !all.some((d) => d.id === datasetId.value)) datasetId.value = null;
    if (!datasetId.value && all.length) datasetId.value = datasets.selectedId ?? all[0]!.id;
  });

  function applyPreset(id: string) {
    const preset = PRESETS.find((p) => p.id === id);
    if (!preset) return;
    presetId.value = id;
    layers.value = preset.layers(target.value ?? { inputShape: [1], task: 'regression', outputs: 1 });
  }

  function add(type: LayerType, at = layers.value.length) {
    const make = LAYER_TYPES.find((entry) => entry.type === type)!.make;
    const next = layers.value.slice();
    next.splice(at, 0, make());
    layers.value = next;
  }
  function remove(index: number) {
    layers.value = layers.value.filter((_, i) => i !== index);
  }
  function move(index: number, by: -1 | 1) {
    const to = index + by;
    if (to < 0 || to >= layers.value.length) return;
    const next = layers.value.slice();
    [next[index], next[to]] = [next[to]!, next[index]!];
    layers.value = next;
  }
  function update(index: number, layer: LayerSpec) {
    layers.value = layers.value.map((existing, i) => (i === index ? layer : existing));
  }

  return { datasetId, dataset, layers, presetId, target, summary, applyPreset, add, remove, move, update };
});
