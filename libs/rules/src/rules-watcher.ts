import { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { counter, gauge } from '@vigil/observability';
import { RuleDefinition } from './rule-definition';
import { InvalidRulesFileError, parseRulesFile, RulesFileOptions } from './rules-file';

const reloads = counter({
  name: 'vigil_rules_reloads_total',
  help: 'Rules file loads by outcome (loaded, rejected: invalid file refused, old rules kept)',
  labelNames: ['outcome'],
});
const activeRules = gauge({ name: 'vigil_rules_active', help: 'Rules currently in force' });

/** Changes when the file is rewritten in place (mtime, size) or replaced by a rename (inode). */
function signatureOf(info: Stats): string {
  return `${info.ino}:${info.mtimeMs}:${info.size}`;
}

/**
 * Holds the current rule set and reloads it when the file changes. Polling (mtime + size) is
 * used rather than fs.watch because fs.watch misses atomic renames and is unreliable on
 * network and container file systems; a check every second costs one stat().
 * An invalid file is refused (log + vigil_rules_reloads_total{outcome="rejected"}) and the
 * previous rules keep running.
 */
export class RulesWatcher {
  private readonly logger = new Logger(RulesWatcher.name);
  private current: RuleDefinition[] = [];
  private lastSignature = '';
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private checking = false;

  constructor(
    private readonly path: string,
    private readonly options: RulesFileOptions & { pollIntervalMs?: number } = {},
  ) {}

  get rules(): readonly RuleDefinition[] {
    return this.current;
  }

  /** The last rejection message, or null when the file in force is the file on disk. */
  get rejection(): string | null {
    return this.lastError;
  }

  /** Loads the file once; throws if it is invalid (a service must not start without rules). */
  async start(): Promise<void> {
    const loaded = await this.reload();
    if (!loaded) throw new InvalidRulesFileError([this.lastError ?? 'rules file could not be loaded']);
    this.timer = setInterval(() => {
      void this.checkForChange();
    }, this.options.pollIntervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async checkForChange(): Promise<void> {
    if (this.checking) return; // a slow disk must not stack up overlapping reloads
    this.checking = true;
    try {
      await this.checkOnce();
    } finally {
      this.checking = false;
    }
  }

  private async checkOnce(): Promise<void> {
    try {
      const info = await stat(this.path);
      if (signatureOf(info) !== this.lastSignature) await this.reload();
    } catch (error) {
      this.reject(`cannot read ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Reads and validates the file; returns whether the new rules are in force. */
  async reload(): Promise<boolean> {
    try {
      const info = await stat(this.path);
      this.lastSignature = signatureOf(info);
      const rules = parseRulesFile(await readFile(this.path, 'utf8'), this.options);
      this.current = rules;
      this.lastError = null;
      reloads.inc({ outcome: 'loaded' });
      activeRules.set(rules.length);
      this.logger.log(`loaded ${rules.length} rules from ${this.path}`);
      return true;
    } catch (error) {
      this.reject(error instanceof Error ? error.message : String(error));
      return false;
    }
  }

  private reject(message: string): void {
    if (message === this.lastError) return;
    this.lastError = message;
    reloads.inc({ outcome: 'rejected' });
    this.logger.error(`rules file refused, keeping the ${this.current.length} rules in force: ${message}`);
  }
}
