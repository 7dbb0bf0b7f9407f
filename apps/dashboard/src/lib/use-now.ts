import { useEffect, useState } from 'react';

/**
 * The current time, rounded down to whole `stepMs`, for components that derive a time window from "now".
 * Reading the clock during render would make each render see a different window (and React's purity rules
 * forbid it); this hook reads it once and moves on only when the next step begins, so query keys built from
 * it stay stable between steps.
 */
export function useNow(stepMs: number): number {
  const [now, setNow] = useState(() => floorTo(Date.now(), stepMs));
  useEffect(() => {
    const timer = setInterval(() => setNow(floorTo(Date.now(), stepMs)), Math.min(stepMs, 60_000));
    return () => clearInterval(timer);
  }, [stepMs]);
  return now;
}

function floorTo(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}
