// Queue names as declared in wrangler.toml; the single queue() entry dispatches on them.
export const queueNames = {
  transcode: "edge-video-transcode",
  transcodeDeadLetter: "edge-video-transcode-dlq",
  views: "edge-video-views",
  notifications: "edge-video-notifications",
} as const;
