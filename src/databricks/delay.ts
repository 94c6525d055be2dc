// I/O: an abortable timer.

/** Resolves after `delayInMs`; rejects with the signal's reason when aborted first. */
export function delay(delayInMs: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(abortSignal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortSignal?.reason);
    };
    const timer = setTimeout(
      () => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, delayInMs),
    );
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
