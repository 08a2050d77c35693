// A one-line progress bar on stderr for long ingests (only when stderr is a TTY): bytes read of
// the file's size, and lines per second. Redrawn at most every 200 ms.
export interface ProgressBar {
  update(file: string, position: number, size: number, lines: number): void;
  done(): void;
}

const WIDTH = 24;

export function createProgressBar(stream: NodeJS.WriteStream, now: () => number = Date.now): ProgressBar {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const startedMs = now();
  let lastDrawMs = 0;
  let drawn = false;
  return {
    update(file, position, size, lines) {
      const t = now();
      if (t - lastDrawMs < 200) return;
      lastDrawMs = t;
      const fraction = size > 0 ? Math.min(1, position / size) : 1;
      const filled = Math.round(fraction * WIDTH);
      const rate = lines / Math.max(0.001, (t - startedMs) / 1000);
      const mib = (n: number): string => (n / 1048576).toFixed(1);
      const name = file.length > 30 ? `…${file.slice(-29)}` : file;
      stream.write(
        `\r${name} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${(fraction * 100).toFixed(0)}% ${mib(position)}/${mib(size)} MiB ${Math.round(rate)} lines/s\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
