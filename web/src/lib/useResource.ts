import { useCallback, useEffect, useRef, useState } from "react";

export type Resource<T> =
  | { status: "loading"; data?: undefined; error?: undefined }
  | { status: "error"; data?: T; error: Error }
  | { status: "ready"; data: T; error?: undefined };

export type LoadedResource<T> = Resource<T> & {
  /** Fetches again, keeping the shown data until the new answer is there. */
  reload: () => Promise<void>;
  reloading: boolean;
  /** Shows `data` as the answer (a write's answer, say), dropping any load under way. */
  set: (data: T) => void;
};

/** Loads `load()` whenever `key` changes. Answers of superseded loads are dropped. */
export function useResource<T>(key: string, load: () => Promise<T>): LoadedResource<T> {
  const [state, setState] = useState<Resource<T>>({ status: "loading" });
  const [reloading, setReloading] = useState(false);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async (keep: boolean) => {
    const mine = ++seq.current;
    if (keep) setReloading(true);
    else setState({ status: "loading" });
    try {
      const data = await loadRef.current();
      if (mine === seq.current) setState({ status: "ready", data });
    } catch (e) {
      if (mine === seq.current) {
        setState((prev) => ({ status: "error", data: keep ? prev.data : undefined, error: e as Error }));
      }
    } finally {
      if (mine === seq.current) setReloading(false);
    }
  }, []);

  useEffect(() => {
    void run(false);
  }, [key, run]);

  const reload = useCallback(() => run(true), [run]);
  const set = useCallback((data: T) => {
    seq.current++;
    setReloading(false);
    setState({ status: "ready", data });
  }, []);
  return { ...state, reload, reloading, set };
}
