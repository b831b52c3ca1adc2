// Typed access to the `tags` table: free-form labels on runs.
import type { Store } from './open-store.js';

/** Adds tags (trimmed, empty ones dropped, duplicates ignored); returns the run's tags after. */
export function addTags(store: Store, runId: string, tags: readonly string[]): string[] {
  const insert = store.db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)');
  store.db.transaction(() => {
    for (const tag of tags.map((t) => t.trim()).filter((t) => t.length > 0)) insert.run(runId, tag);
  })();
  return tagsFor(store, runId);
}

/** Removes tags; returns the run's tags after. */
export function removeTags(store: Store, runId: string, tags: readonly string[]): string[] {
  const remove = store.db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?');
  store.db.transaction(() => {
    for (const tag of tags) remove.run(runId, tag.trim());
  })();
  return tagsFor(store, runId);
}

/** A run's tags, sorted. */
export function tagsFor(store: Store, runId: string): string[] {
  return (
    store.db.prepare('SELECT tag FROM tags WHERE run_id = ? ORDER BY tag').all(runId) as { tag: string }[]
  ).map((row) => row.tag);
}

/** Tags of many runs at once (one query per 500 ids), sorted per run. */
export function tagsForRuns(store: Store, runIds: readonly string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (let start = 0; start < runIds.length; start += 500) {
    const chunk = runIds.slice(start, start + 500);
    const rows = store.db
      .prepare(
        `SELECT run_id, tag FROM tags WHERE run_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY tag`,
      )
      .all(...chunk) as { run_id: string; tag: string }[];
    for (const row of rows) {
      const list = result.get(row.run_id);
      if (list) list.push(row.tag);
      else result.set(row.run_id, [row.tag]);
    }
  }
  return result;
}

/** Every tag in use with the number of runs carrying it, most used first. */
export function listAllTags(store: Store): { tag: string; runs: number }[] {
  return store.db
    .prepare('SELECT tag, count(*) AS runs FROM tags GROUP BY tag ORDER BY runs DESC, tag')
    .all() as { tag: string; runs: number }[];
}
