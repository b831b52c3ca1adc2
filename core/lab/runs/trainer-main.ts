// The trainer process entry: reads one `job` from the host over the IPC channel, trains it, and
// exits. Pause, resume and cancel arrive as messages while it trains. Host-agnostic: the CLI,
// the local server and the desktop app start it the same way (child_process.fork).
import { parseHostMessage, type TrainerMessage } from './protocol.js';
import { detectDevice } from './device.js';
import { runTrainJob, type JobMessage } from './train-job.js';

if (!process.send) {
  console.error('trainer-main must be started by the NN Lab host (child_process.fork with an IPC channel)');
  process.exit(2);
}

const controller = new AbortController();
let paused: { promise: Promise<void>; release: () => void } | null = null;
let pausedAcknowledged = false;
let jobStarted = false;
const pendingSends = new Set<Promise<void>>();

function send(message: TrainerMessage): void {
  if (!process.connected) return;
  const sent = new Promise<void>((resolve) => {
    process.send!(message, undefined, undefined, () => resolve());
  });
  pendingSends.add(sent);
  void sent.then(() => pendingSends.delete(sent));
}

function release(): void {
  if (!paused) return;
  const { release: open } = paused;
  paused = null;
  if (pausedAcknowledged) send({ type: 'resumed' });
  pausedAcknowledged = false;
  open();
}

/** fit awaits this before every step: it blocks while paused, and says so once. */
async function pauseGate(): Promise<void> {
  if (!paused) return;
  if (!pausedAcknowledged) {
    pausedAcknowledged = true;
    send({ type: 'paused' });
  }
  await paused.promise;
}

async function run(job: JobMessage): Promise<void> {
  await runTrainJob(job, { send, signal: controller.signal, pause: pauseGate });
  await Promise.all(pendingSends);
  process.disconnect();
}

async function probe(): Promise<void> {
  const report = await detectDevice();
  send({ type: 'device', report: { ...report } });
  await Promise.all(pendingSends);
  process.disconnect();
}

process.on('message', (data: unknown) => {
  let message;
  try {
    message = parseHostMessage(data);
  } catch (error) {
    send({ type: 'failed', error: (error as Error).message, stack: null });
    return;
  }
  switch (message.type) {
    case 'job':
      if (jobStarted) return;
      jobStarted = true;
      void run(message);
      return;
    case 'pause':
      if (!paused) {
        let open!: () => void;
        const promise = new Promise<void>((resolve) => (open = resolve));
        paused = { promise, release: open };
      }
      return;
    case 'resume':
      release();
      return;
    case 'probe':
      if (jobStarted) return;
      jobStarted = true;
      void probe();
      return;
    case 'cancel':
      controller.abort();
      release();
      if (!jobStarted) process.exit(0);
      return;
  }
});

// The host went away: nobody is left to report to, and its runs are marked interrupted on its next start.
process.on('disconnect', () => {
  if (!controller.signal.aborted) controller.abort();
  setTimeout(() => process.exit(0), 50).unref();
});
