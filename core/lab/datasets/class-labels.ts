/**
 * Integer class labels shared by the IDX and NPY importers: every label must be a class index
 * (below the given class names' count, or below MAX_CLASSES), and a dataset needs two classes.
 */
import { DatasetImportError } from './errors.js';

/** More classes than this is not a classification dataset a person meant to import. */
export const MAX_CLASSES = 65536;

export interface LabelFiles {
  /** The file holding the training labels (rows before `trainRows`). */
  train: string;
  /** The file holding the test labels (rows from `trainRows` on), when there is one. */
  test?: string;
}

/**
 * Checks `y` (training labels then test labels) and returns the class names: the given ones,
 * or "0".."max". Errors name the file and the label's index within it.
 */
export function classNamesFromLabels(
  y: Int32Array,
  trainRows: number,
  files: LabelFiles,
  classNames?: readonly string[],
): string[] {
  const limit = Math.min(classNames?.length ?? MAX_CLASSES, MAX_CLASSES);
  let max = 0;
  for (let i = 0; i < y.length; i++) {
    const label = y[i]!;
    if (label < 0 || label >= limit) {
      const inTest = i >= trainRows;
      throw new DatasetImportError({
        file: inTest ? (files.test ?? files.train) : files.train,
        record: { index: inTest ? i - trainRows : i, noun: 'label' },
        found: String(label),
        expected: `a class index from 0 to ${limit - 1}`,
      });
    }
    if (label > max) max = label;
  }
  if (classNames) return [...classNames];
  if (max === 0) {
    throw new DatasetImportError({
      file: files.train,
      found: 'a single class (every label is 0)',
      expected: 'at least 2 classes',
    });
  }
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}
