// What the controls and the keyboard do to the <video>: play/pause, seek, volume, mute. Seeks and
// volume steps are announced to screen readers (`announce`, for an aria-live region).
import { useCallback, useState, type RefObject } from "react";
import type { PlayerElement } from "./hls-loader";

export function usePlayerActions(media: RefObject<HTMLVideoElement | null>) {
  const [announce, setAnnounce] = useState("");

  const toggle = useCallback(() => {
    const el = media.current as PlayerElement | null;
    if (!el) return;
    // Pressed before hls.js is attached: play once it is (attaching would cancel an earlier play()).
    if (el.paused || el.ended) void (el.__ev ?? Promise.resolve()).then(() => el.play()).catch(() => undefined);
    else el.pause();
  }, []);

  const seekBy = useCallback((delta: number) => {
    const el = media.current;
    if (!el) return;
    const end = Number.isFinite(el.duration) ? el.duration : el.seekable.length ? el.seekable.end(el.seekable.length - 1) : el.currentTime;
    el.currentTime = Math.min(Math.max(0, el.currentTime + delta), Math.max(0, end - 0.1));
    setAnnounce(`${delta > 0 ? "Forward" : "Back"} ${Math.abs(delta)} seconds`);
  }, []);

  const changeVolume = useCallback((delta: number) => {
    const el = media.current;
    if (!el) return;
    el.volume = Math.min(1, Math.max(0, Math.round((el.volume + delta) * 100) / 100));
    if (el.volume > 0) el.muted = false;
    setAnnounce(`Volume ${Math.round(el.volume * 100)}%`);
  }, []);

  /** The volume slider: 0 mutes, anything else unmutes. */
  const setVolume = useCallback((value: number) => {
    const el = media.current;
    if (!el) return;
    el.volume = value;
    el.muted = el.volume === 0;
  }, []);

  const toggleMute = useCallback(() => {
    const el = media.current;
    if (el) el.muted = !el.muted;
  }, []);

  return { toggle, seekBy, changeVolume, setVolume, toggleMute, announce };
}
