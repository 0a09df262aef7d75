import { Logger } from '@nestjs/common';
import { Consumer } from 'kafkajs';
import { restartAfterFatalCrash } from './batch-consumer';

/** Just what restartAfterFatalCrash uses of a kafkajs consumer: its CRASH event and disconnect(). */
function fakeConsumer() {
  const listeners: ((event: { payload: { error: Error; restart: boolean } }) => void)[] = [];
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (_name: string, listener: (typeof listeners)[number]) => listeners.push(listener),
    disconnect: jest.fn(async () => undefined),
  };
  const crash = (restart: boolean) => listeners.forEach((l) => l({ payload: { error: new Error('request is not a function'), restart } }));
  return { consumer: consumer as unknown as Consumer, crash, disconnect: consumer.disconnect };
}

describe('restartAfterFatalCrash', () => {
  const logger = new Logger('test');
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts the consumer again after a crash kafkajs will not restart, retrying until it runs', async () => {
    const { consumer, crash, disconnect } = fakeConsumer();
    const start = jest.fn().mockRejectedValueOnce(new Error('broker still down')).mockResolvedValueOnce(undefined);
    restartAfterFatalCrash(consumer, logger, () => false, start);
    crash(false);
    await jest.advanceTimersByTimeAsync(1000);
    expect(disconnect).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(start).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(2);
  });

  it('leaves kafkajs its own restarts, and a stopping runner alone', async () => {
    const { consumer, crash } = fakeConsumer();
    const start = jest.fn(async () => undefined);
    let stopping = false;
    restartAfterFatalCrash(consumer, logger, () => stopping, start);
    crash(true);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(start).not.toHaveBeenCalled();
    stopping = true;
    crash(false);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(start).not.toHaveBeenCalled();
  });
});
