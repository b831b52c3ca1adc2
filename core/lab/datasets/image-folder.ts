// Folders of images, one subfolder per class (PNG and JPEG), resized to one size.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DatasetImportError, throwIfAborted } from './errors.js';
import { decodeImage, resizeInto, type ColorMode } from './image-decode.js';
import type { ImportContext, ImportedData } from './imported-data.js';

export interface ImageFolderSource {
  /** A folder with one subfolder per class. */
  folder: string;
  /** The same layout for the test split. */
  testFolder?: string;
  /** Defaults to 32. */
  width?: number;
  /** Defaults to 32. */
  height?: number;
  /** Defaults to 'rgb'. */
  color?: ColorMode;
}

const imageExtensions = new Set(['.png', '.jpg', '.jpeg']);

interface Listing {
  classes: string[];
  files: { file: string; label: number }[];
}

export async function importImageFolder(
  source: ImageFolderSource,
  context: ImportContext,
): Promise<ImportedData> {
  const width = source.width ?? 32;
  const height = source.height ?? 32;
  const color = source.color ?? 'rgb';
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > 4096) {
      throw new RangeError(`image ${name} must be an integer from 1 to 4096, got ${value}`);
    }
  }
  const train = listFolder(source.folder);
  if (train.classes.length < 2) {
    throw new DatasetImportError({
      file: source.folder,
      found: `${train.classes.length} class folder${train.classes.length === 1 ? '' : 's'} with images`,
      expected: 'one subfolder per class, at least 2, holding PNG or JPEG files',
    });
  }
  let test: Listing | undefined;
  if (source.testFolder !== undefined) {
    test = listFolder(source.testFolder, train.classes);
  }
  const channels = color === 'rgb' ? 3 : 1;
  const rowSize = width * height * channels;
  const all = [...train.files, ...(test?.files ?? [])];
  const x = new Uint8Array(all.length * rowSize);
  const y = new Int32Array(all.length);
  for (let i = 0; i < all.length; i++) {
    throwIfAborted(context.signal);
    const { file, label } = all[i]!;
    resizeInto(decodeImage(file, await readFile(file)), width, height, color, x, i * rowSize);
    y[i] = label;
    context.onProgress?.({ phase: 'decoding', file, done: i + 1, total: all.length });
  }
  return {
    sourceKind: 'image-folder',
    sourceFiles: [source.folder, ...(source.testFolder ? [source.testFolder] : [])],
    x,
    rows: all.length,
    featureShape: [height, width, channels],
    y,
    task: 'classification',
    classNames: train.classes,
    targetName: 'class',
    columns: [],
    ...(test && { testStart: train.files.length }),
    hasMissing: false,
    missing: { policy: 'refuse', droppedRows: 0 },
    defaultScaling: 'divide255',
  };
}

/** Class folders in name order; with `classes`, every folder must be one of them. */
function listFolder(folder: string, classes?: string[]): Listing {
  if (!statSync(folder).isDirectory()) {
    throw new DatasetImportError({ file: folder, found: 'a file', expected: 'a folder of class subfolders' });
  }
  const names = readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  const found = names
    .map((name) => ({
      name,
      files: readdirSync(join(folder, name))
        .filter((file) => imageExtensions.has(extname(file).toLowerCase()) && !file.startsWith('.'))
        .sort()
        .map((file) => join(folder, name, file)),
    }))
    .filter((entry) => entry.files.length > 0);
  const listed = classes ?? found.map((entry) => entry.name);
  const files: Listing['files'] = [];
  for (const entry of found) {
    const label = listed.indexOf(entry.name);
    if (label < 0) {
      throw new DatasetImportError({
        file: join(folder, entry.name),
        found: `class '${entry.name}'`,
        expected: `one of the training classes (${listed.join(', ')})`,
      });
    }
    for (const file of entry.files) files.push({ file, label });
  }
  if (files.length === 0) {
    throw new DatasetImportError({
      file: folder,
      found: 'no PNG or JPEG images',
      expected: 'images in class subfolders',
    });
  }
  return { classes: listed, files };
}
