import { useCallback, useState } from "react";

/**
 * Runs one action at a time while `busy`, keeping the service's refusal (`problem`) to show
 * and, after it succeeded, the message to say (`done`). `run` answers whether it succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Error | null>(null);
  const [done, setDone] = useState("");
  const run = useCallback(async (fn: () => Promise<unknown>, message = "") => {
    setBusy(true);
    setProblem(null);
    setDone("");
    try {
      await fn();
      setDone(message);
      return true;
    } catch (e) {
      setProblem(e as Error);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => {
    setProblem(null);
    setDone("");
  }, []);
  return { busy, problem, done, run, clear };
}
