// Full screen for the player's wrapper, and whether it is the element shown full screen now.
import { useCallback, useEffect, useState, type RefObject } from "react";

export function useFullscreen(wrap: RefObject<HTMLElement | null>) {
  const [fullscreen, setFullscreen] = useState(false);

  useEffect(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === wrap.current);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);

  const toggleFullscreen = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void wrap.current?.requestFullscreen?.().catch(() => undefined);
  }, []);

  return { fullscreen, toggleFullscreen };
}
