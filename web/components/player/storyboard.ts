// Seek previews: the transcoder's storyboard WebVTT, whose cues point into one sprite image with
// media fragments (`storyboard.jpg#xywh=x,y,w,h`).
export type StoryboardCue = { start: number; end: number; url: string; x: number; y: number; w: number; h: number };

function seconds(stamp: string): number {
  const parts = stamp.trim().split(":").map(Number);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

export function parseStoryboard(text: string, baseUrl: string): StoryboardCue[] {
  const cues: StoryboardCue[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (!line.includes("-->")) continue;
    const [from = "", to = ""] = line.split("-->");
    const payload = (lines[i + 1] ?? "").trim();
    const match = /^(.*)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(payload);
    if (!match) continue;
    cues.push({
      start: seconds(from),
      end: seconds(to.trim().split(/\s+/)[0] ?? ""),
      url: new URL(match[1]!, baseUrl).href,
      x: Number(match[2]),
      y: Number(match[3]),
      w: Number(match[4]),
      h: Number(match[5]),
    });
  }
  return cues;
}

export function cueAt(cues: StoryboardCue[], time: number): StoryboardCue | undefined {
  return cues.find((c) => time >= c.start && time < c.end) ?? (cues.length && time >= cues.at(-1)!.end ? cues.at(-1) : undefined);
}
