// The set-up and tear-down the browser suites share, registered as the enclosing describe's
// beforeAll/afterAll so that a suite states only what differs (its daemon, its browser
// permissions or listeners): a temporary directory, Chromium with a fresh profile in it and, for
// a dashboard suite, the built dashboard and the daemon the suite starts there. After: the
// browser closed, the daemon stopped, the directory removed. The fields are readable from the
// tests on; before the suite started, reading one is an error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { ensureWebBuilt, gotoReady, launchChromium, type RunningDaemon } from './harness.js';

export interface BrowserSuite {
  readonly dir: string;
  readonly context: BrowserContext;
}

export interface DashboardSuite<S> extends BrowserSuite {
  /** What the suite's `start` returned. */
  readonly started: S;
  readonly daemon: RunningDaemon;
  /** A new page on the dashboard route `hash`, once its data is drawn (gotoReady). */
  open(hash: string): Promise<Page>;
}

export interface DashboardSuiteOptions<S extends { readonly daemon: RunningDaemon }> {
  /** The temporary directory's name prefix (npa-browser-…). */
  readonly name: string;
  /** Starts the daemon in the suite's directory. */
  readonly start: (dir: string) => Promise<S>;
  /** Runs once the browser is up (permissions, listeners on every page). */
  readonly prepare?: (context: BrowserContext, started: S) => void | Promise<void>;
  /** Runs on each page `open` makes, before it navigates. */
  readonly onPage?: (page: Page) => void;
}

interface Started<S> {
  readonly dir: string;
  readonly context: BrowserContext;
  readonly value: S;
}

/** The hooks of both kinds of suite: the directory, `start` in it, Chromium; torn down in reverse. */
function register<S>(
  name: string,
  start: (dir: string) => Promise<S>,
  stop: (value: S) => Promise<void>,
  prepare?: (context: BrowserContext, value: S) => void | Promise<void>,
): () => Started<S> {
  let dir: string | undefined;
  let value: { readonly is: S } | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), name));
    value = { is: await start(dir) };
    context = await launchChromium(path.join(dir, 'profile'));
    await prepare?.(context, value.is);
  }, 180_000);
  afterAll(async () => {
    await context?.close();
    if (value !== undefined) await stop(value.is);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return () => {
    if (dir === undefined || value === undefined || context === undefined)
      throw new Error('the browser suite has not started');
    return { dir, context, value: value.is };
  };
}

/** The dashboard served by the daemon `options.start` brings up, and Chromium. */
export function dashboardSuite<S extends { readonly daemon: RunningDaemon }>(
  options: DashboardSuiteOptions<S>,
): DashboardSuite<S> {
  const state = register(
    options.name,
    (dir) => {
      ensureWebBuilt();
      return options.start(dir);
    },
    (value) => value.daemon.stop(),
    options.prepare,
  );
  return {
    get dir() {
      return state().dir;
    },
    get context() {
      return state().context;
    },
    get started() {
      return state().value;
    },
    get daemon() {
      return state().value.daemon;
    },
    async open(hash) {
      const { context, value } = state();
      const page = await context.newPage();
      options.onPage?.(page);
      return gotoReady(page, value.daemon.base, hash);
    },
  };
}

/** Chromium alone (no daemon), for a part of the dashboard tried on a blank page. */
export function browserSuite(name: string): BrowserSuite {
  const state = register(
    name,
    () => Promise.resolve(null),
    () => Promise.resolve(),
  );
  return {
    get dir() {
      return state().dir;
    },
    get context() {
      return state().context;
    },
  };
}
