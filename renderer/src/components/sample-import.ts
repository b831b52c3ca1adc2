// Importing a built-in sample with the notice a person sees: used by the import panel and by
// the Datasets view's empty state.
import { useDatasetsStore, type SampleName } from '../stores/datasets.js';
import { useUiStore } from '../stores/ui.js';
import { formatCount } from './format.js';

export function useSampleImport(): (sample: SampleName) => Promise<void> {
  const store = useDatasetsStore();
  const ui = useUiStore();
  return async (sample) => {
    try {
      const dataset = await store.importSample(sample);
      ui.notify('success', `Imported ${dataset.name}: ${formatCount(dataset.rows)} rows.`);
    } catch (error) {
      ui.fail(`Could not import the ${sample} sample`, error);
    }
  };
}
