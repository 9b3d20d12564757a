// The JSON shapes of the public API (shared/API.md) as the web app reads them.
export type VideoStatus = "uploading" | "queued" | "processing" | "ready" | "failed";
export type Visibility = "public" | "unlisted" | "private";

export type Video = {
  id: string;
  title: string;
  description: string;
  visibility: Visibility;
  status: VideoStatus;
  playable: boolean;
  /** Transcoding progress, 0–100. */
  progress: number;
  failureReason: string | null;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  viewCount: number;
  createdAt: string;
  creator: { id: string; displayName: string };
  playback: { hls: string; poster: string | null; storyboard: string | null } | null;
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type Creator = {
  id: string;
  displayName: string;
  bio: string;
  followerCount: number;
  videoCount?: number;
  following?: boolean;
};

export type Me = {
  user: { id: string; email: string; role: "viewer" | "creator" | "admin"; createdAt: string };
  creator: { id: string; displayName: string; bio: string } | null;
};

export type Stats = {
  from: string;
  to: string;
  totals: { views: number; allTimeViews: number; videos: number };
  days: { date: string; views: number }[];
  videos: { id: string; title: string; views: number; totalViews: number }[];
};

export type UploadPlan = {
  uploadId: string;
  partSize: number;
  partCount: number;
  parts: { partNumber: number; url: string }[];
};

/** What a form action answers: ok, or the API's problem in words with per-field messages. */
export type ActionResult =
  | { ok: true; intent?: string }
  | { ok: false; intent?: string; error: string; fields: Record<string, string> };
