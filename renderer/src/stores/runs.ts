// The run history: one page of runs at a time (thousands stay fast), with sort, filter and search
// done by the host, multi-selection for compare and delete, and tags and notes.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { lab } from '../api/index.js';
import type { LabEvent, RunDetail, RunStatus, RunSummary } from '../../../core/lab/api/contract.js';

export type RunSortKey = 'createdAt' | 'name' | 'status' | 'startedAt' | 'endedAt';

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunSummary[]>([]);
  const total = ref(0);
  const loaded = ref(false);
  const loading = ref(false);
  const search = ref('');
  const statusFilter = ref<RunStatus[]>([]);
  const tagFilter = ref<string[]>([]);
  const sortBy = ref<RunSortKey>('createdAt');
  const direction = ref<'asc' | 'desc'>('desc');
  const pageSize = ref(50);
  const offset = ref(0);
  /** Selected run ids, kept across pages. */
  const selection = ref<string[]>([]);
  const detail = shallowRef<RunDetail | null>(null);

  const page = computed(() => Math.floor(offset.value / pageSize.value) + 1);
  const pages = computed(() => Math.max(1, Math.ceil(total.value / pageSize.value)));
  /** Every tag in use across the whole history (not just this page), most used first. */
  const tagCounts = ref<{ tag: string; runs: number }[]>([]);
  const knownTags = computed(() => tagCounts.value.map((t) => t.tag));

  let requestNumber = 0;
  async function refresh() {
    const mine = ++requestNumber;
    loading.value = true;
    try {
      const listing = lab.runs.list({
        filter: {
          ...(search.value.trim() ? { search: search.value.trim() } : {}),
          ...(statusFilter.value.length ? { status: statusFilter.value } : {}),
          ...(tagFilter.value.length ? { tags: tagFilter.value } : {}),
        },
        sort: { by: sortBy.value, direction: direction.value },
        page: { offset: offset.value, limit: pageSize.value },
      });
      const [result, tags] = await Promise.all([listing, lab.runs.tags({})]);
      if (mine !== requestNumber) return;
      runs.value = result.runs;
      tagCounts.value = tags.tags;
      total.value = result.total;
      loaded.value = true;
      if (offset.value > 0 && offset.value >= result.total) {
        offset.value = Math.max(0, (pages.value - 1) * pageSize.value);
        await refresh();
      }
    } finally {
      if (mine === requestNumber) loading.value = false;
    }
  }

  function setSort(key: RunSortKey) {
    if (sortBy.value === key) direction.value = direction.value === 'asc' ? 'desc' : 'asc';
    else {
      sortBy.value = key;
      direction.value = key === 'name' || key === 'status' ? 'asc' : 'desc';
    }
    offset.value = 0;
    return refresh();
  }

  function goToPage(n: number) {
    offset.value = Math.min(Math.max(0, n - 1), pages.value - 1) * pageSize.value;
    return refresh();
  }

  function toggle(id: string) {
    selection.value = selection.value.includes(id)
      ? selection.value.filter((x) => x !== id)
      : [...selection.value, id];
  }
  function selectPage(on: boolean) {
    const ids = runs.value.map((run) => run.id);
    selection.value = on
      ? [...new Set([...selection.value, ...ids])]
      : selection.value.filter((id) => !ids.includes(id));
  }
  function clearSelection() {
    selection.value = [];
  }

  async function open(id: string | null) {
    detail.value = id ? await lab.runs.get({ id }) : null;
  }

  async function tag(id: string, add: string[], remove: string[] = []) {
    await lab.runs.tag({ id, add, remove });
    await refresh();
  }

  async function note(id: string, notes: string) {
    await lab.runs.note({ id, notes });
    await refresh();
  }

  /** Deletes the selected runs; returns how many went, and the errors of those that could not. */
  async function removeSelected(): Promise<{ deleted: number; errors: string[] }> {
    let deleted = 0;
    const errors: string[] = [];
    for (const id of selection.value) {
      try {
        if ((await lab.runs.delete({ id })).deleted) deleted++;
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    selection.value = [];
    if (detail.value && !runs.value.some((run) => run.id === detail.value!.id)) detail.value = null;
    await refresh();
    return { deleted, errors };
  }

  // Live events arrive in bursts while runs train: refresh at most twice a second.
  let timer: ReturnType<typeof setTimeout> | null = null;
  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void refresh().catch(() => undefined);
    }, 500);
  }

  function onEvent(event: LabEvent) {
    lastEventMs = Date.now();
    if (event.type === 'runs:changed' || event.type === 'runs:status') refreshSoon();
    if (event.type === 'runs:progress' && runs.value.some((run) => run.id === event.runId)) {
      // Update the visible row in place (epoch, latest metrics) without a round trip.
      runs.value = runs.value.map((run) =>
        run.id === event.runId
          ? { ...run, lastEpoch: event.epoch, finalMetrics: mergeMetrics(run.finalMetrics, event.metrics) }
          : run,
      );
    }
  }

  // Runs trained by another process on the same data folder (the CLI) send this host no events:
  // while a listed run is still going and all is quiet, re-read the page now and then.
  let lastEventMs = 0;
  const LIVE_STATUSES: RunStatus[] = ['queued', 'running', 'paused'];
  function refreshIfQuiet() {
    if (Date.now() - lastEventMs < 4000 || loading.value) return;
    if (runs.value.some((run) => LIVE_STATUSES.includes(run.status))) void refresh().catch(() => undefined);
  }

  let unsubscribe: (() => void) | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  function start() {
    unsubscribe ??= lab.subscribe(onEvent);
    pollTimer ??= setInterval(refreshIfQuiet, 5000);
    return refresh();
  }
  function stop() {
    unsubscribe?.();
    unsubscribe = null;
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  return {
    runs,
    total,
    loaded,
    loading,
    search,
    statusFilter,
    tagFilter,
    sortBy,
    direction,
    pageSize,
    offset,
    page,
    pages,
    selection,
    detail,
    knownTags,
    tagCounts,
    refresh,
    setSort,
    goToPage,
    toggle,
    selectPage,
    clearSelection,
    open,
    tag,
    note,
    removeSelected,
    start,
    stop,
  };
});

function mergeMetrics(
  base: Record<string, Record<string, number | null>>,
  update: Record<string, Record<string, number | null>>,
): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = { ...base };
  for (const [split, values] of Object.entries(update)) out[split] = { ...(out[split] ?? {}), ...values };
  return out;
}
