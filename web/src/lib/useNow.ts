import { useEffect, useState } from "react";

/** The current time, updated every `intervalMs` (aligned to the second). */
export function useNow(intervalMs = 1000, enabled = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      setNow(Date.now());
      timer = setTimeout(tick, intervalMs - (Date.now() % Math.min(intervalMs, 1000)));
    };
    timer = setTimeout(tick, intervalMs - (Date.now() % Math.min(intervalMs, 1000)));
    return () => clearTimeout(timer);
  }, [intervalMs, enabled]);
  return now;
}
