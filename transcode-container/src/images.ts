// The plan for the poster, thumbnails and storyboard tiles: where the poster is picked from,
// when the thumbnails are taken, and the storyboard's tile size and interval. The stills task
// (chunks/stills-job.ts) takes poster and thumbnails; each chunk draws its storyboard sheet.

export type ImagePlan = {
  poster: {
    start: number;
    end: number;
    /** Frames per second sampled inside the window (bounds memory of the thumbnail filter). */
    sampleRate: number;
    /** Batch size for FFmpeg's thumbnail filter: the whole window is one batch. */
    batch: number;
    width: number;
    height: number;
  };
  thumbnails: { first: number; interval: number; count: number; width: number; height: number };
  storyboard: { interval: number; tileWidth: number; tileHeight: number; columns: number };
};

export const IMAGE_PROFILE = {
  posterMaxSide: 1280,
  thumbnailMaxSide: 640,
  thumbnailCount: 4,
  tileWidth: 160,
  storyboardColumns: 10,
  /** Above this many tiles the interval grows, so the sprite stays a few hundred kB. */
  storyboardMaxTiles: 200,
  /** The poster is picked from a window starting this far in, past intros and fades. */
  posterWindow: { startFraction: 0.1, endFraction: 0.2, maxSeconds: 10, maxFrames: 30 },
} as const;

const even = (value: number): number => Math.max(2, 2 * Math.round(value / 2));

function fit(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: even(width * scale), height: even(height * scale) };
}

/** The poster's size for a source of this size (generated posters, and custom ones the Worker re-encodes). */
export const posterSize = (width: number, height: number): { width: number; height: number } => fit(width, height, IMAGE_PROFILE.posterMaxSide);

export function planImages(durationSeconds: number, width: number, height: number, frameRate: number): ImagePlan {
  const duration = Math.max(durationSeconds, 0.1);
  const window = IMAGE_PROFILE.posterWindow;
  let start = duration * window.startFraction;
  let end = Math.min(duration * window.endFraction, start + window.maxSeconds);
  if (end - start < 0.5) {
    // Very short clips: look at the first half second (or all of it).
    start = 0;
    end = Math.min(duration, 0.5);
  }
  const sampleRate = Math.min(frameRate, Math.max(1, window.maxFrames / (end - start)));
  const poster = posterSize(width, height);
  const thumb = fit(width, height, IMAGE_PROFILE.thumbnailMaxSide);
  const count = IMAGE_PROFILE.thumbnailCount;
  const interval = Math.max(1, Math.ceil(duration / IMAGE_PROFILE.storyboardMaxTiles));
  return {
    poster: {
      start: round3(start),
      end: round3(end),
      sampleRate: round3(sampleRate),
      batch: Math.ceil((end - start) * sampleRate) + 2,
      width: poster.width,
      height: poster.height,
    },
    thumbnails: {
      first: round3(duration / (2 * count)),
      interval: round3(duration / count),
      count,
      width: thumb.width,
      height: thumb.height,
    },
    storyboard: {
      interval,
      tileWidth: IMAGE_PROFILE.tileWidth,
      tileHeight: even((IMAGE_PROFILE.tileWidth * height) / width),
      columns: IMAGE_PROFILE.storyboardColumns,
    },
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
