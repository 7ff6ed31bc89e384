/**
 * Structured logs (pino). Secrets are kept out two ways: known header and field paths are
 * redacted, and any configured secret value that turns up in a log message is replaced, so a
 * secret echoed inside an error message does not leak either.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-hub-signature-256"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.key',
  '*.BOT_PASSWORD',
  '*.GITHUB_WEBHOOK_SECRET',
  '*.COSMOS_KEY',
];

/** `destination` defaults to stdout; tests pass a stream to read what was logged. */
export function createLogger(options: {
  level: string;
  secretValues: readonly string[];
  name?: string;
  destination?: DestinationStream;
}): Logger {
  const secrets = options.secretValues.filter((s) => s.length >= 4);
  const scrub = (text: string): string =>
    secrets.reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
  return pino(
    {
      name: options.name ?? 'reynolds',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: {
        err: (error: unknown) => {
          const serialised = pino.stdSerializers.err(error as Error);
          return {
            ...serialised,
            message: scrub(serialised.message ?? ''),
            stack: scrub(serialised.stack ?? ''),
          };
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
    },
    options.destination ?? pino.destination(1),
  );
}
