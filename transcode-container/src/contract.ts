// What the transcoder shares with the Worker besides the task contract (chunks/task-contract.ts):
// the header its signed callbacks carry, and the shape of a ready video's variants as the Worker
// stores them on the video row. No Node imports, so the Worker imports it too.

/** One variant of a ready video (chunks/master.ts builds them from the measured segments). */
export type Rendition = {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  averageBandwidth: number;
  codecs: string;
  frameRate: number;
  /** Storage key of the variant's media playlist. */
  playlist: string;
};

export const SIGNATURE_HEADER = "X-Transcoder-Signature";
