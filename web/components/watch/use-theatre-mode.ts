// Theatre mode: the watch page gives the player the full width. The choice is remembered in local
// storage; the server renders the default layout and the browser switches after hydration.
import { useCallback, useEffect, useState } from "react";

export const THEATRE_KEY = "ev:theatre";

export function useTheatreMode() {
  const [on, setOn] = useState(false);
  useEffect(() => {
    try {
      setOn(localStorage.getItem(THEATRE_KEY) === "1");
    } catch {
      // No storage: the default layout.
    }
  }, []);
  const onToggle = useCallback(() => {
    setOn((was) => {
      try {
        localStorage.setItem(THEATRE_KEY, was ? "0" : "1");
      } catch {
        // The choice lasts for this page only.
      }
      return !was;
    });
  }, []);
  return { on, onToggle };
}
