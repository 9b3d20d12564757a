// R2 layout: one prefix per video makes deletion and signed access simple.
export const sourceKey = (videoId: string) => `uploads/${videoId}/source`;
export const videoPrefix = (videoId: string) => `videos/${videoId}/`;
