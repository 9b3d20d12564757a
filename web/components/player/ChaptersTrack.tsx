// The chapters as a WebVTT chapters track on the <video> (GET /api/videos/:id/chapters.vtt), so
// the browser's TextTrack API lists them (video.textTracks: kind "chapters", one cue each) for
// assistive tools and extensions. Rendered on the server too, so it loads without the app.
// Mode "hidden": the cues load and `activeCues` follows playback, but nothing is drawn. `default`
// asks for that before any script runs (the HTML rule for chapters tracks); Chromium makes a
// default chapters track "showing" instead, so once hydrated the mode is set to "hidden" and kept
// there. It is never a caption: the CC menu (use-captions) and hls.js only take subtitles and
// captions tracks.
import { useEffect, useRef } from "react";
import { chaptersTrackPath } from "#contract/chapters.ts";

export function ChaptersTrack({ videoId }: { videoId: string }) {
  const ref = useRef<HTMLTrackElement>(null);
  useEffect(() => {
    const el = ref.current;
    const media = el?.parentElement;
    if (!el || !(media instanceof HTMLMediaElement)) return;
    const hide = () => {
      if (el.track.mode !== "hidden") el.track.mode = "hidden";
    };
    hide();
    // Automatic track selection may run later (when the media's metadata arrives).
    media.textTracks.addEventListener("change", hide);
    return () => media.textTracks.removeEventListener("change", hide);
  }, [videoId]);
  // srclang "und" (undetermined): chapter titles are in the description's language, which the
  // platform does not record; the label is the only name a browser menu would show.
  return <track ref={ref} kind="chapters" label="Chapters" srcLang="und" src={chaptersTrackPath(videoId)} default />;
}
