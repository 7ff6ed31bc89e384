/** A real Reynolds logger (same redaction) whose output is kept in memory for the test to read. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

export interface CapturedLog {
  logger: Logger;
  lines: string[];
  text(): string;
}

export function captureLogger(secretValues: readonly string[], level = 'trace'): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.length > 0),
      );
      callback();
    },
  });
  const logger = createLogger({ level, secretValues, destination: sink });
  return { logger, lines, text: () => lines.join('\n') };
}
