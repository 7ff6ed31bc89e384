import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  reload(): void;
}

/**
 * Reads `load` now and every `intervalMs` while the page is shown. Polling rather than server-sent
 * events: EventSource cannot send the SSO token as a header, and a few small reads every few
 * seconds from a tab that a handful of people open cost nothing.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  intervalMs: number,
  deps: unknown[],
): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({
    loading: true,
  });
  const generation = useRef(0);
  const run = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: Error) =>
        mine === generation.current &&
        setState((previous) => ({ data: previous.data, error, loading: false })),
    );
    // `deps` say when `load` changes meaning (a new filter); the closure itself is new every render.
  }, deps);
  useEffect(() => {
    setState({ loading: true });
    run();
    const timer = setInterval(() => document.visibilityState !== 'hidden' && run(), intervalMs);
    return () => {
      clearInterval(timer);
      generation.current += 1;
    };
  }, [run, intervalMs]);
  return { ...state, reload: run };
}
