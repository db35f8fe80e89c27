import type { BuildEvent, EventSink } from './build-event';

/** `--output=json`: one JSON object per event per line (NDJSON), for CI and tests. */
export class JsonLogger implements EventSink {
  constructor(private readonly out: NodeJS.WritableStream) {}

  emit(event: BuildEvent): void {
    // Progress ticks are for humans; the JSON stream carries the events they summarise.
    if (event.type === 'progress') return;
    this.out.write(`${JSON.stringify(event)}\n`);
  }
}
