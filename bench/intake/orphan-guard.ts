/**
 * Imported (or `--import`ed) into the bench's child servers: when run.ts dies without cleaning up
 * (SIGKILL, a crash), the IPC channel closes and the child exits instead of holding its port and
 * a CPU. Without an IPC channel (started by hand) it does nothing.
 */
if (process.channel) {
  // The channel must not keep a server alive on its own, nor delay a normal exit.
  process.channel.unref();
  process.on('disconnect', () => process.exit(1));
}
