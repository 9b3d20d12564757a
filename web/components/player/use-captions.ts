// Captions: the subtitle tracks of the master playlist's SUBTITLES group, as the <video> element's
// TextTracks (hls.js adds one per track and follows whichever is "showing"; Safari's native HLS
// exposes the same group the same way). The viewer's choice (a language or off) is remembered in
// local storage and applied whenever tracks appear. Cue text is rendered by the browser from the
// TextTrack; this code never puts cue text into the page.
import { useCallback, useEffect, useState, type RefObject } from "react";

export const CAPTIONS_KEY = "ev:captions";
export type CaptionTrack = { index: number; lang: string; label: string };

const isCaption = (t: TextTrack) => t.kind === "subtitles" || t.kind === "captions";

function storedChoice(): string | null {
  try {
    return localStorage.getItem(CAPTIONS_KEY);
  } catch {
    return null;
  }
}

function storeChoice(value: string) {
  try {
    localStorage.setItem(CAPTIONS_KEY, value);
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

/** Shows track `index` of the element's TextTracks (-1: none), disabling the other caption tracks. */
function show(el: HTMLVideoElement, index: number) {
  Array.from(el.textTracks).forEach((t, i) => {
    if (isCaption(t)) t.mode = i === index ? "showing" : "disabled";
  });
}

export function useCaptions(media: RefObject<HTMLVideoElement | null>, enabled: boolean) {
  const [tracks, setTracks] = useState<CaptionTrack[]>([]);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const el = media.current;
    if (!enabled || !el) return;
    const list = el.textTracks;
    const sync = () => {
      const found = Array.from(list)
        .map((t, index) => ({ t, index }))
        .filter(({ t }) => isCaption(t));
      setTracks(found.map(({ t, index }) => ({ index, lang: t.language, label: t.label || t.language || `Track ${index + 1}` })));
      setActive(found.find(({ t }) => t.mode === "showing")?.index ?? -1);
    };
    // A remembered language is turned on when its track appears (unless one is already showing).
    const onAdd = () => {
      const choice = storedChoice();
      const all = Array.from(list);
      if (choice && choice !== "off" && !all.some((t) => isCaption(t) && t.mode === "showing")) {
        const index = all.findIndex((t) => isCaption(t) && t.language === choice);
        if (index >= 0) show(el, index);
      }
      sync();
    };
    list.addEventListener("addtrack", onAdd);
    list.addEventListener("removetrack", sync);
    list.addEventListener("change", sync);
    onAdd();
    return () => {
      list.removeEventListener("addtrack", onAdd);
      list.removeEventListener("removetrack", sync);
      list.removeEventListener("change", sync);
    };
  }, [enabled]);

  const choose = (index: number) => {
    const el = media.current;
    if (!el) return;
    show(el, index);
    storeChoice(index < 0 ? "off" : (el.textTracks[index]?.language ?? "off"));
    setActive(index);
  };

  /** The C key: off, or on in the remembered language (else the first track). */
  const toggleNow = useCallback(() => {
    if (active >= 0) return choose(-1);
    const remembered = tracks.find((t) => t.lang === storedChoice());
    const track = remembered ?? tracks[0];
    if (track) choose(track.index);
  }, [tracks, active]);
  const toggle = tracks.length === 0 ? undefined : toggleNow;

  return { tracks, active, choose, toggle };
}
