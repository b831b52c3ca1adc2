// A one-line progress bar on a terminal's stderr, redrawn at most ten times a second. Off a
// terminal it stays silent, so logs and pipes get only the final lines.

export interface TerminalStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBar {
  /** `fraction` in [0, 1], or null when the total is unknown. */
  update(fraction: number | null, label: string): void;
  /** Clears the bar (and prints `line` in its place, when given). */
  finish(line?: string): void;
}

export function createProgressBar(stream: TerminalStream): ProgressBar {
  if (!stream.isTTY) {
    return {
      update: () => {},
      finish: (line) => {
        if (line) stream.write(line + '\n');
      },
    };
  }
  let lastDraw = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write('\r\u001b[2K');
    drawn = false;
  };
  return {
    update(fraction, label) {
      const now = Date.now();
      if (now - lastDraw < 100 && fraction !== 1) return;
      lastDraw = now;
      const columns = Math.max(40, stream.columns ?? 80);
      const width = Math.min(30, columns - 20);
      const bar =
        fraction === null
          ? ''
          : `[${'#'.repeat(Math.round(Math.min(1, Math.max(0, fraction)) * width)).padEnd(width, '.')}] ${String(
              Math.floor(fraction * 100),
            ).padStart(3)}% `;
      const text = (bar + label).slice(0, columns - 1);
      stream.write('\r\u001b[2K' + text);
      drawn = true;
    },
    finish(line) {
      clear();
      if (line) stream.write(line + '\n');
    },
  };
}
