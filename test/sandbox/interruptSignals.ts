// Test infrastructure: Ctrl-C (SIGINT) and SIGTERM stop the sandbox once. The listeners stay installed until
// the process exits: tsx's child exits on a signal nobody listens to
// (https://github.com/privatenumber/tsx/blob/master/src/preflight.cts), and tsx relays a terminal's
// Ctrl-C a second time when the child is slow to acknowledge it, so a `process.once` listener let a second
// signal kill the sandbox in the middle of saving its world.
export function interruptSignals(log: (line: string) => void): Promise<number> {
  return new Promise<number>((done) => {
    let receivedAt: number | undefined;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (receivedAt !== undefined) {
        // One Ctrl-C arrives several times at once (from the terminal and relayed by each wrapper): only a
        // later one is the person pressing again.
        if (Date.now() - receivedAt > 100) log('sandbox: saving, please wait');
        return;
      }
      receivedAt = Date.now();
      log('sandbox: stopping; run the same command again to resume the release');
      done(signal === 'SIGTERM' ? 143 : 130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
