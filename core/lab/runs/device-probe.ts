// Asks a short-lived trainer process which device a run would get (the host never opens the GPU
// itself: the trainer owns it, see ARCHITECTURE.md). The answer is device.ts's DeviceReport.
import type { ChildProcess } from 'node:child_process';
import type { DeviceReport } from './device.js';
import { parseTrainerMessage } from './protocol.js';

/**
 * Starts a trainer with `spawn`, sends `probe`, and resolves with its `device` report. Rejects
 * when the trainer exits without one or takes longer than `timeoutMs` (the first Dawn start-up
 * can take seconds; a hung driver must not hang the caller).
 */
export function probeDevice(spawn: () => ChildProcess, timeoutMs = 60_000): Promise<DeviceReport> {
  return new Promise((resolve, reject) => {
    const child = spawn();
    let stderr = '';
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => {
      settle(() => reject(new Error(`the device probe did not answer within ${timeoutMs} ms`)));
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.on('message', (data: unknown) => {
      try {
        const message = parseTrainerMessage(data);
        if (message.type === 'device') settle(() => resolve(message.report as unknown as DeviceReport));
      } catch (error) {
        settle(() => reject(error as Error));
      }
    });
    child.on('error', (error) => settle(() => reject(error)));
    child.on('exit', (code, signal) =>
      settle(() =>
        reject(
          new Error(
            `the device probe exited (${signal ?? `code ${code}`}) without an answer` +
              (stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''),
          ),
        ),
      ),
    );
    try {
      child.send({ type: 'probe' });
    } catch (error) {
      settle(() => reject(error as Error));
    }
  });
}
