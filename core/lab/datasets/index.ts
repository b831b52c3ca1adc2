// Public API of core/lab/datasets. See README.md.
export { importDataset, type DatasetSource, type ImportOptions } from './import.js';
export { loadDataset, readSchema, type LoadedDataset, type LoadOptions } from './load.js';
export { Preprocessor, fitScaling, fillMissing, type RawRecord } from './preprocessing.js';
export { splitIndices, kFoldIndices, type SplitOptions, type SplitIndices, type Fold } from './splits.js';
export { createAugmenter, type AugmentationOptions, type Augmenter } from './augmentation.js';
export { previewDataset, previewLoaded, type DatasetPreview, type PreviewOptions } from './preview.js';
export { generateSample, SAMPLE_NAMES, ICE_CREAM, type SampleName, type SampleSource } from './samples.js';
export {
  DEBIAN_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  hasFashionMnist,
  fashionMnistSource,
} from './fashion-mnist.js';
export { removeAbandonedImports, deleteDatasetFiles, datasetFolder } from './store-writer.js';
export { DatasetImportError, DatasetImportCancelled } from './errors.js';
export type { ImportProgress, ImportPhase, ImportContext } from './imported-data.js';
export type { CsvImportOptions } from './csv-import.js';
export type { IdxSource } from './idx-import.js';
export type { NpySource } from './npy-import.js';
export type { ImageFolderSource } from './image-folder.js';
export * from './schema.js';
