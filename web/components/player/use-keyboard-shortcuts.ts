// Keyboard shortcuts: anywhere on the page except while typing; arrows up/down only inside the
// player (`wrap`). Space and K play/pause, J/L and ←/→ seek, ↑/↓ volume, F full screen, M mute,
// C captions on/off (when the video has any), I picture-in-picture and T theatre mode (where offered).
import { useEffect, type RefObject } from "react";

export type ShortcutActions = {
  toggle: () => void;
  seekBy: (delta: number) => void;
  changeVolume: (delta: number) => void;
  toggleFullscreen: () => void;
  toggleMute: () => void;
  /** Captions on or off; absent when the video has none. */
  toggleCaptions?: () => void;
  /** Picture-in-picture; absent where the browser has none. */
  togglePip?: () => void;
  /** Theatre mode; absent where the page offers none (the embed player). */
  toggleTheatre?: () => void;
  /** Called after every handled key (the controls show again). */
  wake: () => void;
};

function isTyping(target: HTMLElement) {
  const tag = target.tagName;
  return tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable || (tag === "INPUT" && (target as HTMLInputElement).type !== "range");
}

/** Runs the shortcut for a key press; false when the key is not one (or not here). */
function runShortcut(e: KeyboardEvent, wrap: HTMLElement | null, a: ShortcutActions): boolean {
  const target = e.target as HTMLElement;
  const tag = target.tagName;
  const inside = !!wrap?.contains(target);
  const onControl = tag === "BUTTON" || tag === "SUMMARY" || tag === "A";
  const isVolumeSlider = target.dataset.role === "volume";
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  switch (key) {
    case " ":
      if (onControl) return false;
      a.toggle();
      return true;
    case "k":
      a.toggle();
      return true;
    case "j":
      a.seekBy(-10);
      return true;
    case "l":
      a.seekBy(10);
      return true;
    case "ArrowLeft":
    case "ArrowRight":
      if (isVolumeSlider) return false;
      a.seekBy(key === "ArrowLeft" ? -5 : 5);
      return true;
    case "ArrowUp":
    case "ArrowDown":
      if (!inside || isVolumeSlider) return false;
      a.changeVolume(key === "ArrowUp" ? 0.05 : -0.05);
      return true;
    case "f":
      a.toggleFullscreen();
      return true;
    case "m":
      a.toggleMute();
      return true;
    case "c":
      if (!a.toggleCaptions) return false;
      a.toggleCaptions();
      return true;
    case "i":
      if (!a.togglePip) return false;
      a.togglePip();
      return true;
    case "t":
      if (!a.toggleTheatre) return false;
      a.toggleTheatre();
      return true;
    default:
      return false;
  }
}

export function useKeyboardShortcuts(enabled: boolean, wrap: RefObject<HTMLElement | null>, actions: ShortcutActions) {
  const { toggle, seekBy, changeVolume, toggleFullscreen, toggleMute, toggleCaptions, togglePip, toggleTheatre, wake } = actions;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (isTyping(e.target as HTMLElement)) return;
      if (!runShortcut(e, wrap.current, { toggle, seekBy, changeVolume, toggleFullscreen, toggleMute, toggleCaptions, togglePip, toggleTheatre, wake })) return;
      e.preventDefault();
      wake();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enabled, toggle, seekBy, changeVolume, toggleFullscreen, toggleMute, toggleCaptions, togglePip, toggleTheatre, wake]);
}
