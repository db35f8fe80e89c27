import type { BuildEvent, EventSink } from '../events/build-event';
import { unreachable } from '../util';
import type { TestOutputMode } from './test-flags';

/**
 * An event sink that marks which test results a human log prints the output of: `errors` (the
 * default) a failed test's, `all` every test's (cached results included), `summary` none.
 */
export class TestOutputFilter implements EventSink {
  constructor(
    private readonly inner: EventSink,
    private readonly mode: TestOutputMode,
  ) {}

  emit(event: BuildEvent): void {
    if (event.type !== 'test-result') {
      this.inner.emit(event);
      return;
    }
    this.inner.emit({ ...event, showOutput: this.shows(event.status) });
  }

  private shows(status: 'passed' | 'failed' | 'cached'): boolean {
    switch (this.mode) {
      case 'errors':
        return status === 'failed';
      case 'all':
        return true;
      case 'summary':
        return false;
      default:
        return unreachable(this.mode);
    }
  }
}
