// Keyboard shortcuts and the commands behind them. One table feeds the key handler, the help
// overlay (press ?) and the desktop menu: the Electron menu dispatches a `nnlab:command` event
// naming a command here, so a menu item and its key always do the same thing.
import { useUiStore, VIEWS, type ViewId } from './stores/ui.js';
import { useTrainingStore } from './stores/training.js';
import { useRunsStore } from './stores/runs.js';
import { useCompareStore } from './stores/compare.js';

export const isMac = navigator.platform.toLowerCase().includes('mac');
export const MOD = isMac ? '⌘' : 'Ctrl';

export type CommandId =
  `view:${ViewId}` | 'start-training' | 'pause-resume' | 'compare-selected' | 'focus-search' | 'toggle-help';

export interface Shortcut {
  command: CommandId;
  label: string;
  /** Keys as shown to a person, e.g. ['Ctrl', '1']. */
  keys: string[];
  /** Matches a key press; single-letter keys never fire while typing in a field. */
  matches(event: KeyboardEvent, typing: boolean): boolean;
}

const withModifier = (event: KeyboardEvent) =>
  (isMac ? event.metaKey : event.ctrlKey) && !event.shiftKey && !event.altKey;
const plain = (event: KeyboardEvent, typing: boolean) =>
  !typing && !event.ctrlKey && !event.metaKey && !event.altKey;

export const SHORTCUTS: Shortcut[] = [
  ...VIEWS.map((view): Shortcut => ({
    command: `view:${view.id}`,
    label: `Show ${view.label}`,
    keys: [MOD, view.key],
    matches: (event) => withModifier(event) && event.key === view.key,
  })),
  {
    command: 'start-training',
    label: 'Start training with the current model and settings',
    keys: [MOD, 'Enter'],
    matches: (event) => withModifier(event) && event.key === 'Enter',
  },
  {
    command: 'pause-resume',
    label: 'Pause or resume the run in the Train view',
    keys: ['P'],
    matches: (event, typing) => plain(event, typing) && event.key.toLowerCase() === 'p',
  },
  {
    command: 'compare-selected',
    label: 'Compare the runs selected in the Runs view',
    keys: ['C'],
    matches: (event, typing) => plain(event, typing) && event.key.toLowerCase() === 'c',
  },
  {
    command: 'focus-search',
    label: 'Search the runs',
    keys: ['/'],
    matches: (event, typing) => plain(event, typing) && event.key === '/',
  },
  {
    command: 'toggle-help',
    label: 'Show or hide this list',
    keys: ['?'],
    matches: (event, typing) => !typing && event.key === '?',
  },
];

/** Fields that take typed text: single-letter shortcuts stay out of their way (a checkbox is not one). */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return (
    target instanceof HTMLInputElement &&
    !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type)
  );
}

/** Runs one command; failures become messages, never silent. */
export function useCommands(helpOpen: { value: boolean }) {
  const ui = useUiStore();
  const training = useTrainingStore();
  const runs = useRunsStore();
  const compare = useCompareStore();

  async function run(command: CommandId): Promise<void> {
    if (command.startsWith('view:')) {
      ui.show(command.slice(5) as ViewId);
      return;
    }
    switch (command) {
      case 'start-training':
        ui.show('train');
        try {
          await training.startRun();
        } catch (error) {
          ui.fail('Could not start training', error);
        }
        return;
      case 'pause-resume': {
        const status = training.run?.status;
        try {
          if (status === 'running' || status === 'queued') await training.pause();
          else if (status === 'paused') await training.resume();
          else ui.notify('info', 'No run is training: start one in the Train view.');
        } catch (error) {
          ui.fail('Could not pause or resume the run', error);
        }
        return;
      }
      case 'compare-selected':
        if (!runs.selection.length) {
          ui.notify('info', 'Select runs in the Runs view first (tick their boxes), then press C.');
          return;
        }
        ui.show('compare');
        await compare.load(runs.selection);
        return;
      case 'focus-search':
        if (ui.view !== 'runs') ui.show('runs');
        // The view may only now be rendering: focus once it is there.
        requestAnimationFrame(() =>
          document.querySelector<HTMLInputElement>('[data-shortcut="search"]')?.focus(),
        );
        return;
      case 'toggle-help':
        helpOpen.value = !helpOpen.value;
        return;
    }
  }

  function onKey(event: KeyboardEvent) {
    const typing = isTextEntry(event.target);
    if (event.key === 'Escape' && helpOpen.value) {
      helpOpen.value = false;
      return;
    }
    const shortcut = SHORTCUTS.find((entry) => entry.matches(event, typing));
    if (!shortcut) return;
    event.preventDefault();
    void run(shortcut.command);
  }

  /** The desktop menu's commands (see electron/main/menu.ts). */
  function onMenuCommand(event: Event) {
    const command = (event as CustomEvent<unknown>).detail;
    if (typeof command === 'string' && SHORTCUTS.some((entry) => entry.command === command))
      void run(command as CommandId);
  }

  return { run, onKey, onMenuCommand };
}
