// Shared argument handling for the subcommands: node:util's parseArgs, with bad usage turned into
// a UsageError (exit status 2, one clear line on stderr).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends OptionsConfig>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Parses a port or other bounded integer option, naming the option on failure. */
export function parseIntegerOption(name: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${name}: expected an integer from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

export function defaultDbPath(): string {
  return process.env['NETPOL_ADVISOR_DB'] ?? './netpol-advisor.db';
}
