// View state that belongs to no domain: which view is open, and the messages shown to the person.
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { errorMessage } from '../api/errors.js';

export const VIEWS = [
  { id: 'datasets', label: 'Datasets', key: '1' },
  { id: 'builder', label: 'Model builder', key: '2' },
  { id: 'train', label: 'Train', key: '3' },
  { id: 'runs', label: 'Runs', key: '4' },
  { id: 'compare', label: 'Compare', key: '5' },
  { id: 'models', label: 'Models', key: '6' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

export interface Notice {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
}

export const useUiStore = defineStore('ui', () => {
  const view = ref<ViewId>(initialView());
  const notices = ref<Notice[]>([]);
  let nextId = 1;

  // The desktop menu switches views by setting the URL hash; the address bar may too.
  window.addEventListener('hashchange', () => {
    const hash = window.location.hash.slice(1);
    if (VIEWS.some((entry) => entry.id === hash)) view.value = hash as ViewId;
  });

  function show(next: ViewId) {
    view.value = next;
    if (window.location.hash !== `#${next}`) window.history.replaceState(null, '', `#${next}`);
  }

  function notify(kind: Notice['kind'], text: string, timeoutMs = kind === 'error' ? 8000 : 3500) {
    const notice = { id: nextId++, kind, text };
    notices.value = [...notices.value.slice(-3), notice];
    window.setTimeout(() => dismiss(notice.id), timeoutMs);
  }

  /** Reports a failed action: what was being done, then why it failed. */
  function fail(action: string, error: unknown) {
    notify('error', `${action}: ${errorMessage(error)}`);
  }

  function dismiss(id: number) {
    notices.value = notices.value.filter((notice) => notice.id !== id);
  }

  return { view, notices, show, notify, fail, dismiss };
});

function initialView(): ViewId {
  const hash = window.location.hash.slice(1);
  return VIEWS.some((view) => view.id === hash) ? (hash as ViewId) : 'datasets';
}
