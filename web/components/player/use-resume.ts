// Resume where the viewer left off. While playing, the position is saved at most every
// PROGRESS_SAVE_INTERVAL_MS and once more when the page is hidden or left (pagehide): signed-in
// viewers to the API (PUT /api/me/progress/:id, fetch keepalive so the last save survives the
// unload), everyone else to local storage. On return the player offers "Resume at 12:34"
// (the API's resumeAt, or the local copy); the last 5 % of a video counts as finished.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { PROGRESS_SAVE_INTERVAL_MS, resumePoint } from "#contract/playback-extras.ts";
import { callApi } from "../../lib/client-api";

export const RESUME_KEY = "ev:resume";
/** Local positions kept for anonymous viewers (the oldest are dropped). */
const LOCAL_LIMIT = 50;

type LocalPositions = Record<string, { s: number; at: number }>;

function readLocal(): LocalPositions {
  try {
    const value = JSON.parse(localStorage.getItem(RESUME_KEY) ?? "{}") as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as LocalPositions) : {};
  } catch {
    return {};
  }
}

export function localPosition(videoId: string): number | null {
  const entry = readLocal()[videoId];
  return entry && typeof entry.s === "number" ? entry.s : null;
}

function writeLocal(videoId: string, seconds: number) {
  try {
    const all = readLocal();
    all[videoId] = { s: seconds, at: Date.now() };
    const kept = Object.entries(all)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, LOCAL_LIMIT);
    localStorage.setItem(RESUME_KEY, JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // Storage unavailable (private mode, a blocked third-party frame): nothing to resume later.
  }
}

type Options = {
  videoId: string;
  durationSeconds: number | null;
  signedIn: boolean;
  /** The API's resumeAt for a signed-in viewer. */
  serverAt: number | null | undefined;
  /** Off when the page asked for a start time (?t=): that wins, and nothing is offered. */
  offer: boolean;
};

export function useResume(media: RefObject<HTMLVideoElement | null>, opts: Options) {
  const [offerAt, setOfferAt] = useState<number | null>(null);
  const saved = useRef<number | null>(null);

  useEffect(() => {
    if (!opts.offer) return;
    const at = opts.signedIn ? (opts.serverAt ?? null) : resumePoint(localPosition(opts.videoId), opts.durationSeconds);
    setOfferAt(at);
  }, [opts.videoId]);

  useEffect(() => {
    const el = media.current;
    if (!el) return;
    const save = (final: boolean) => {
      const seconds = Math.round(el.currentTime * 10) / 10;
      // Nothing played yet, or nothing new since the last save.
      if (!(seconds > 0) || seconds === saved.current) return;
      saved.current = seconds;
      if (!opts.signedIn) return writeLocal(opts.videoId, seconds);
      const init: RequestInit = { method: "PUT", body: JSON.stringify({ seconds }), keepalive: true };
      // On the way out there is no time to renew a session: a plain fetch that outlives the page.
      const sent = final ? fetch(`/api/me/progress/${opts.videoId}`, { ...init, headers: { "content-type": "application/json" } }) : callApi(`/api/me/progress/${opts.videoId}`, init);
      void sent.catch(() => (saved.current = null));
    };
    const tick = window.setInterval(() => {
      if (!el.paused) save(false);
    }, PROGRESS_SAVE_INTERVAL_MS);
    const onPause = () => save(false);
    const onHide = () => save(true);
    const onVisibility = () => {
      if (document.visibilityState === "hidden") save(true);
    };
    el.addEventListener("pause", onPause);
    window.addEventListener("pagehide", onHide);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.clearInterval(tick);
      el.removeEventListener("pause", onPause);
      window.removeEventListener("pagehide", onHide);
      document.removeEventListener("visibilitychange", onVisibility);
      save(true);
    };
  }, [opts.videoId, opts.signedIn]);

  // Playing past the offered point (or seeking there) answers the offer.
  const onTimeUpdate = useCallback(
    (time: number) => {
      if (offerAt !== null && time >= offerAt) setOfferAt(null);
    },
    [offerAt],
  );

  const accept = useCallback(() => {
    const el = media.current;
    if (!el || offerAt === null) return;
    el.currentTime = offerAt;
    void el.play().catch(() => undefined);
    setOfferAt(null);
  }, [offerAt]);

  return { offerAt, accept, dismiss: () => setOfferAt(null), onTimeUpdate };
}
