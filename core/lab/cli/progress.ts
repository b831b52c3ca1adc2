// A one-line progress bar on a terminal's stderr, redrawn at most ten times a second. Off a
// terminal it stays silent, so logs and pipes get only the final lines.

export interface TerminalStream {
  write(text: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBar {
  /**
   * `fraction` in [0, 1], or null when the total is unknown. A label given as parts is joined
   * with two spaces, dropping parts from the end (never the first) until it fits the terminal,
   * so a narrow terminal loses whole values rather than showing half a number.
   */
  update(fraction: number | null, label: string | readonly string[]): void;
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
      // A terminal that reports no size (0 or none, e.g. under `script`) gets the usual 80.
      const columns = Math.max(40, stream.columns || 80);
      // The label (the values) matters more than the bar: the bar takes what 70 columns leave.
      const width = Math.max(10, Math.min(30, columns - 70));
      const bar =
        fraction === null
          ? ''
          : `[${'#'.repeat(Math.round(Math.min(1, Math.max(0, fraction)) * width)).padEnd(width, '.')}] ${String(
              Math.floor(fraction * 100),
            ).padStart(3)}% `;
      const room = columns - 1 - bar.length;
      let parts = typeof label === 'string' ? [label] : [...label];
      while (parts.length > 1 && parts.join('  ').length > room) parts = parts.slice(0, -1);
      const text = (bar + parts.join('  ')).slice(0, columns - 1);
      stream.write('\r\u001b[2K' + text);
      drawn = true;
    },
    finish(line) {
      clear();
      if (line) stream.write(line + '\n');
    },
  };
}
