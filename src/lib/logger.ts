// The logger surface adapters are handed (a pino child fits) and the silent default for callers
// that pass none. Injected, never imported: only the composition roots create pino loggers.

/** The logger surface sources use (a pino child fits); injected, never imported. */
export interface SourceLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const silentLogger: SourceLogger = { info: () => undefined, warn: () => undefined };
