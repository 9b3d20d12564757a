// Storyboard cues for the seek-bar preview: fetched only once `wanted` (frames are playing, or the
// pointer reached the seek bar), so they never compete with the first segments.
import { useEffect, useState } from "react";
import { parseStoryboard, type StoryboardCue } from "./storyboard";

export function useStoryboard(url: string | null, wanted: boolean): StoryboardCue[] {
  const [cues, setCues] = useState<StoryboardCue[]>([]);
  useEffect(() => {
    if (!url || !wanted) return;
    let live = true;
    fetch(url)
      .then((r) => (r.ok ? r.text() : ""))
      .then((text) => live && setCues(parseStoryboard(text, url)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [url, wanted]);
  return cues;
}
