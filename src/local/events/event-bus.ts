import { randomUUID } from 'node:crypto';
import { arnOf } from '../../cloud/arn.ts';
import { errorMessage, logJson, type LogFn } from '../logs/json-log.ts';
import { EventRuleError } from './errors.ts';
import { targetInput } from './input-transformer.ts';
import { matchesPattern } from './pattern.ts';
import { loadServerlessRules, type EventRule, type EventRuleTarget } from './serverless-rules.ts';
import type { EventSpool } from './spool.ts';

/** An entry of PutEvents, as the EventBridge API takes it. */
export interface PutEventsEntry {
  Source: string;
  DetailType: string;
  /** JSON text of an object. */
  Detail: string;
  Resources?: string[];
  Time?: Date;
}

/** The event as EventBridge delivers it to rules and targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RuleDelivery {
  ruleId: string;
  targetId: string | undefined;
  event: BusEvent;
  /** What the target receives: the event, or what its Input/InputPath/InputTransformer makes of it. */
  input: unknown;
}

export type RuleHandler = (delivery: RuleDelivery) => Promise<void>;

export interface PutEventsResult {
  FailedEntryCount: number;
  /** In entry order; `matchedRules` (not in AWS's answer) lists the logical ids of the rules that matched. */
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string; matchedRules: string[] }[];
}

export interface LocalEventBusOptions {
  rules: readonly EventRule[];
  region?: string;
  accountId?: string;
  /** Backoff between a target's attempts: min(base * 2^n, max). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /**
   * Set in a process that only publishes (the `humangov push` CLI): accepted
   * events go to this spool, for the `npm start` process to deliver (`consume`).
   */
  publishTo?: EventSpool;
  log?: LogFn;
}

/**
 * The default event bus, locally: the rules are serverless.yml's (see
 * loadServerlessRules), each rule's targets are handlers registered by logical
 * id. As on EventBridge, putEvents returns once the events are accepted; the
 * targets run afterwards, and a target that throws is retried with backoff
 * within its RetryPolicy, then dropped and logged. A matching rule with no
 * handler registered delivers nothing (like a rule without targets) and says so.
 *
 * Across processes: a publisher (`humangov push`) makes its bus with
 * `publishTo: new EventSpool(home)`; the `npm start` process calls
 * `bus.consume(new EventSpool(home))` and delivers what arrives there. Both read
 * the same serverless.yml, so the publisher can say which rules matched.
 */
export class LocalEventBus {
  readonly rules: readonly EventRule[];
  readonly #region: string;
  readonly #accountId: string;
  readonly #log: LogFn;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #handlers = new Map<string, RuleHandler>();
  readonly #publishTo: EventSpool | undefined;
  readonly #consumers: { stop(): Promise<void> }[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  /** Retry waits, so close() can end them early. */
  readonly #waits = new Map<NodeJS.Timeout, () => void>();
  /** When this bus took each event in (aws.events.event.ingestion-time); a spooled event's is when it reaches this bus. */
  readonly #ingested = new WeakMap<BusEvent, Date>();
  #closed = false;

  constructor(options: LocalEventBusOptions) {
    this.rules = options.rules;
    this.#region = options.region ?? 'us-east-1';
    this.#accountId = options.accountId ?? '000000000000';
    this.#log = options.log ?? logJson;
    this.#retryBaseMs = options.retryBaseMs ?? 200;
    this.#retryMaxMs = options.retryMaxMs ?? 10_000;
    this.#publishTo = options.publishTo;
  }

  /** The bus with serverless.yml's rules for the local stage. */
  static async fromServerless(
    options: { stage: string; region: string; accountId: string; file?: string } & Omit<LocalEventBusOptions, 'rules' | 'region' | 'accountId'>,
  ): Promise<LocalEventBus> {
    const rules = await loadServerlessRules({ stage: options.stage, region: options.region, accountId: options.accountId }, options.file);
    return new LocalEventBus({ ...options, rules });
  }

  /** Delivers the events other processes publish to `spool` (call it in the `npm start` process). */
  consume(spool: EventSpool, options: { intervalMs?: number } = {}): void {
    this.#consumers.push(spool.watch((event) => this.#route(event), { ...options, log: this.#log }));
  }

  /** Registers the target of rule `ruleId` (the logical id in serverless.yml); an unknown id is a wiring mistake and throws. */
  onRule(ruleId: string, handler: RuleHandler): void {
    if (!this.rules.some((rule) => rule.id === ruleId)) {
      throw new EventRuleError(`no rule "${ruleId}" in serverless.yml; the rules are: ${this.rules.map((r) => r.id).join(', ') || 'none'}`);
    }
    this.#handlers.set(ruleId, handler);
  }

  async putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult> {
    const results: PutEventsResult['Entries'] = [];
    for (const entry of entries) {
      const accepted = this.#accept(entry);
      if ('ErrorCode' in accepted) {
        results.push({ ...accepted, matchedRules: [] });
        continue;
      }
      this.#ingested.set(accepted, new Date());
      if (this.#publishTo) await this.#publishTo.write(accepted);
      const matched = this.#publishTo ? this.#matching(accepted) : this.#route(accepted);
      results.push({ EventId: accepted.id, matchedRules: matched });
    }
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Resolves when no delivery is running or waiting to retry. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Cancels pending retries; deliveries already running finish. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#consumers.splice(0).map((consumer) => consumer.stop()));
    for (const [timer, resolve] of this.#waits) {
      clearTimeout(timer);
      resolve();
    }
    this.#waits.clear();
    await this.idle();
  }

  /** The event EventBridge would make of `entry`, or the error PutEvents would answer for it. */
  #accept(entry: PutEventsEntry): BusEvent | { ErrorCode: string; ErrorMessage: string } {
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not a JSON object' };
    if (!entry.Source || !entry.DetailType) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source and DetailType are required' };
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.#accountId,
      // EventBridge's time has whole seconds.
      time: (entry.Time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.#region,
      resources: entry.Resources ?? [],
      detail: detail as Record<string, unknown>,
    };
  }

  #matching(event: BusEvent): string[] {
    return this.rules.filter((rule) => rule.enabled && matchesPattern(rule.pattern, event)).map((rule) => rule.id);
  }

  /** Starts the deliveries of `event` to the targets of every rule it matches; returns those rules. */
  #route(event: BusEvent): string[] {
    const matched = this.#matching(event);
    const ingestionTime = this.#ingested.get(event) ?? new Date();
    for (const ruleId of matched) {
      const rule = this.rules.find((r) => r.id === ruleId) as EventRule;
      const handler = this.#handlers.get(rule.id);
      if (!handler) {
        this.#log({ level: 'WARN', message: 'an event matched a rule that has no handler registered; nothing runs', rule: rule.id, eventId: event.id });
        continue;
      }
      const arn = arnOf({ service: 'events', region: this.#region, accountId: this.#accountId, resource: `rule/${rule.name}` });
      const targets: (EventRuleTarget | undefined)[] = rule.targets.length > 0 ? rule.targets : [undefined];
      for (const target of targets) {
        const input = target ? targetInput(target, { ...event }, { name: rule.name, arn, ingestionTime }) : event;
        this.#track(this.#attempt(handler, { ruleId: rule.id, targetId: target?.id, event, input }, target, 0));
      }
    }
    return matched;
  }

  #track(run: Promise<void>): void {
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async #attempt(handler: RuleHandler, delivery: RuleDelivery, target: EventRuleTarget | undefined, retries: number): Promise<void> {
    const maxAgeSeconds = target?.maximumEventAgeSeconds ?? 86_400;
    if ((Date.now() - Date.parse(delivery.event.time)) / 1000 > maxAgeSeconds) {
      // A spooled event that waited for `npm start` longer than the target's RetryPolicy allows.
      this.#log({
        level: 'ERROR',
        message: 'event older than the target allows; dropped',
        rule: delivery.ruleId,
        target: delivery.targetId,
        eventId: delivery.event.id,
        time: delivery.event.time,
      });
      return;
    }
    try {
      await handler(delivery);
      return;
    } catch (error) {
      const maxRetries = target?.maximumRetryAttempts ?? 185;
      const context = { rule: delivery.ruleId, target: delivery.targetId, eventId: delivery.event.id, attempt: retries + 1, error: errorMessage(error) };
      if (this.#closed || retries >= maxRetries) {
        this.#log({ level: 'ERROR', message: 'event target failed; the event is dropped for this target', ...context });
        return;
      }
      this.#log({ level: 'WARN', message: 'event target failed; retrying', ...context });
      const delay = Math.min(this.#retryBaseMs * 2 ** retries, this.#retryMaxMs);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waits.delete(timer);
          resolve();
        }, delay);
        this.#waits.set(timer, resolve);
      });
      if (this.#closed) {
        this.#log({ level: 'ERROR', message: 'event bus closed before the target succeeded; the event is dropped for this target', ...context });
        return;
      }
      return this.#attempt(handler, delivery, target, retries + 1);
    }
  }
}
