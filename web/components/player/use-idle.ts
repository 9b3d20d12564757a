// Controls fade while playing and the pointer rests: `idle` turns true after 2.5 s without input;
// `wake` (any input) brings the controls back.
import { useCallback, useEffect, useRef, useState } from "react";

const IDLE_MS = 2500;

export function useIdle() {
  const [idle, setIdle] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const wake = useCallback(() => {
    setIdle(false);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setIdle(true), IDLE_MS);
  }, []);
  useEffect(() => () => clearTimeout(timer.current), []);
  return { idle, wake };
}
