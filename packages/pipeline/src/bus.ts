import type { EventOf, EventType, PipelineEvent } from "./events.ts";

export type Handler<T extends EventType = EventType> = (event: EventOf<T>) => Promise<void>;

/** The event bus the flow is wired on: in-process locally; on AWS each handler is a Lambda and the
 * "bus" is S3 / EventBridge, so a step's follow-up is published by the handler that ran it. */
export interface EventBus {
  subscribe<T extends EventType>(type: T, handler: Handler<T>): void;
  /** Delivers `event` to its subscribers, in subscription order, and resolves when they (and whatever
   * they published) are done. A subscriber's error rejects the publish and stops the cascade. */
  publish(event: PipelineEvent): Promise<void>;
}

/** Synchronous-cascade in-process bus: deterministic order, which the run log and the tests rely on. */
export class InProcessBus implements EventBus {
  private readonly handlers = new Map<EventType, Handler[]>();
  /** Every event published, in order (for status and tests). */
  readonly published: PipelineEvent[] = [];

  subscribe<T extends EventType>(type: T, handler: Handler<T>): void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as unknown as Handler);
    this.handlers.set(type, list);
  }

  async publish(event: PipelineEvent): Promise<void> {
    this.published.push(event);
    for (const h of this.handlers.get(event.type) ?? []) await h(event as never);
  }
}
