// Playback: adopts the hls.js instance the boot script started (or runs the script now, after a
// client-side navigation), attaches it to the <video> now that the page is hydrated (see
// hls-loader.ts), follows its quality levels and reports fatal errors.
import { useEffect, useRef, useState, type RefObject } from "react";
import type HlsType from "hls.js";
import { bootInBrowser, type BootConfig, type PlayerElement } from "./hls-loader";

export type Level = { index: number; height: number; bitrate: number };

type Options = {
  boot: BootConfig;
  nonce: string | undefined;
  /** False until hydrated: the server-rendered page plays through the boot script alone. */
  enabled: boolean;
  /** Reads the element's state once it is adopted. */
  onAdopt: (el: HTMLVideoElement) => void;
};

export function usePlayback(media: RefObject<HTMLVideoElement | null>, { boot, nonce, enabled, onAdopt }: Options) {
  const hlsRef = useRef<HlsType | null>(null);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1); // -1: automatic
  const [playingLevel, setPlayingLevel] = useState(-1);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = media.current as PlayerElement | null;
    if (!enabled || !el) return;
    if (!el.__ev) bootInBrowser(boot, nonce);
    let cancelled = false;
    onAdopt(el);
    const onFatal = () => setError("This video cannot be played right now. Reload the page to try again.");
    el.addEventListener("ev-fatal", onFatal);
    void el.__ev?.then((booted) => {
      if (cancelled || !booted) return;
      const { Hls, hls, attach } = booted;
      hlsRef.current = hls;
      attach();
      const sync = () => setLevels(hls.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate })));
      if (hls.levels?.length) sync();
      hls.on(Hls.Events.MANIFEST_PARSED, sync);
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => setPlayingLevel(data.level));
      if (hls.currentLevel >= 0) setPlayingLevel(hls.currentLevel);
    });
    return () => {
      cancelled = true;
      el.removeEventListener("ev-fatal", onFatal);
      const running = el.__ev;
      el.__ev = undefined;
      hlsRef.current = null;
      void running?.then((booted) => booted?.hls.destroy());
    };
  }, [enabled, boot.src]);

  const chooseLevel = (index: number) => {
    setLevel(index);
    const hls = hlsRef.current;
    if (hls) hls.currentLevel = index;
  };

  /** Small buffer for a fast start; once playing, keep more ahead. */
  const onPlaying = () => {
    const hls = hlsRef.current;
    if (hls && hls.config.maxBufferLength < 30) hls.config.maxBufferLength = 30;
  };

  /** A media error without hls.js: the browser cannot play this format natively. */
  const onError = () => {
    if (!hlsRef.current && media.current?.error) setError("This video cannot be played in this browser.");
  };

  return { levels, level, playingLevel, chooseLevel, error, onPlaying, onError };
}
