// Datasets: the list, the selected dataset's preview, and imports with their progress.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { lab } from '../api/index.js';
import type {
  DatasetImportRequest,
  DatasetPreview,
  DatasetSummary,
  LabEvent,
} from '../../../core/lab/api/contract.js';

export type SampleName = 'xor' | 'spirals' | 'moons' | 'circles' | 'sine' | 'ice-cream';

export interface ImportSettings {
  validationFraction: number;
  testFraction: number;
  stratify: boolean;
  seed: number;
  scaling: 'none' | 'standardize' | 'minmax01' | 'minmax11' | 'divide255' | 'auto';
}

export interface ImportProgress {
  importId: string;
  label: string;
  phase: string;
  done: number;
  total: number;
}

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetSummary[]>([]);
  const samples = ref<SampleName[]>([]);
  const loaded = ref(false);
  const selectedId = ref<string | null>(null);
  /** The preview can be large (rows, pixels): shallow, replaced whole. */
  const preview = shallowRef<DatasetPreview | null>(null);
  const previewLoading = ref(false);
  const previewError = ref<string | null>(null);
  const imports = ref<ImportProgress[]>([]);
  const settings = ref<ImportSettings>({
    validationFraction: 0.2,
    testFraction: 0,
    stratify: true,
    seed: 42,
    scaling: 'auto',
  });

  const selected = computed(() => datasets.value.find((d) => d.id === selectedId.value) ?? null);

  async function refresh() {
    const [list, sampleList] = await Promise.all([
      lab.datasets.list(),
      samples.value.length ? null : lab.datasets.samples(),
    ]);
    datasets.value = list.datasets;
    if (sampleList) samples.value = sampleList.samples;
    loaded.value = true;
    if (selectedId.value && !datasets.value.some((d) => d.id === selectedId.value)) {
      selectedId.value = null;
      preview.value = null;
    }
  }

  async function select(id: string | null) {
    selectedId.value = id;
    preview.value = null;
    previewError.value = null;
    if (!id) return;
    previewLoading.value = true;
    try {
      const result = await lab.datasets.preview({ id, rows: 50, samplesPerClass: 8 });
      if (selectedId.value === id) preview.value = result;
    } catch (error) {
      if (selectedId.value === id)
        previewError.value = error instanceof Error ? error.message : String(error);
    } finally {
      if (selectedId.value === id) previewLoading.value = false;
    }
  }

  function importRequest(
    source: DatasetImportRequest['source'],
    label: string,
  ): { request: DatasetImportRequest; importId: string } {
    const importId = `imp-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const s = settings.value;
    const request: DatasetImportRequest = {
      source,
      importId,
      split: {
        validationFraction: s.validationFraction,
        testFraction: s.testFraction,
        stratify: s.stratify,
        seed: s.seed,
      },
      ...(s.scaling !== 'auto' ? { scaling: s.scaling } : {}),
    };
    imports.value = [...imports.value, { importId, label, phase: 'scanning', done: 0, total: 0 }];
    return { request, importId };
  }

  async function runImport(
    source: DatasetImportRequest['source'],
    label: string,
    name?: string,
  ): Promise<DatasetSummary> {
    const { request, importId } = importRequest(source, label);
    if (name) request.name = name;
    try {
      const result = await lab.datasets.import(request);
      await refresh();
      await select(result.dataset.id);
      return result.dataset;
    } finally {
      imports.value = imports.value.filter((entry) => entry.importId !== importId);
    }
  }

  function importSample(sample: SampleName) {
    return runImport({ kind: 'sample', sample }, `sample ${sample}`);
  }

  /** A CSV or TSV picked in a dialog or dropped on the window: sent as base64 (the browser has no path). */
  async function importFile(file: File) {
    const contentBase64 = await toBase64(file);
    return runImport(
      { kind: 'csv-upload', file: { fileName: file.name, contentBase64 } },
      file.name,
      file.name.replace(/\.[^.]+$/, ''),
    );
  }

  /** A dataset on the host's disk (desktop app or a server on this machine). */
  function importPath(kind: 'csv' | 'idx-folder' | 'image-folder', path: string) {
    const source: DatasetImportRequest['source'] =
      kind === 'csv' ? { kind, file: path } : { kind, folder: path };
    return runImport(source, path);
  }

  async function cancelImport(importId: string) {
    await lab.datasets.cancelImport({ importId });
  }

  async function rename(id: string, name: string) {
    await lab.datasets.rename({ id, name });
    await refresh();
  }

  async function remove(id: string) {
    await lab.datasets.delete({ id });
    if (selectedId.value === id) await select(null);
    await refresh();
  }

  function onEvent(event: LabEvent) {
    if (event.type === 'datasets:import-progress') {
      imports.value = imports.value.map((entry) =>
        entry.importId === event.importId
          ? { ...entry, phase: event.phase, done: event.done, total: event.total }
          : entry,
      );
    } else if (event.type === 'datasets:changed') {
      void refresh().catch(() => undefined);
    }
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
    datasets,
    samples,
    loaded,
    selectedId,
    selected,
    preview,
    previewLoading,
    previewError,
    imports,
    settings,
    refresh,
    select,
    importSample,
    importFile,
    importPath,
    cancelImport,
    rename,
    remove,
    start,
    stop,
  };
});

async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk)
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}
