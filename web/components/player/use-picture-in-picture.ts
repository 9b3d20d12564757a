// Picture-in-picture for the <video>: offered only where the browser supports it.
import { useCallback, useEffect, useState, type RefObject } from "react";

export function usePictureInPicture(media: RefObject<HTMLVideoElement | null>) {
  const [supported, setSupported] = useState(false);
  const [active, setActive] = useState(false);

  useEffect(() => {
    const el = media.current;
    setSupported(!!el && typeof document !== "undefined" && document.pictureInPictureEnabled && !el.disablePictureInPicture);
    if (!el) return;
    const on = () => setActive(true);
    const off = () => setActive(false);
    el.addEventListener("enterpictureinpicture", on);
    el.addEventListener("leavepictureinpicture", off);
    return () => {
      el.removeEventListener("enterpictureinpicture", on);
      el.removeEventListener("leavepictureinpicture", off);
    };
  }, []);

  const toggle = useCallback(() => {
    const el = media.current;
    if (!el) return;
    if (document.pictureInPictureElement) void document.exitPictureInPicture().catch(() => undefined);
    else void el.requestPictureInPicture().catch(() => undefined);
  }, []);

  return { supported, active, toggle };
}
