// H.264 levels (ITU-T H.264 Table A-1). Each rung is encoded at the lowest level that fits its
// frame size, macroblock rate and bitrate cap, so CODECS in the master playlist is honest and
// low rungs stay decodable on weak devices.

type LevelLimits = {
  name: string;
  idc: number;
  /** Max macroblocks per second. */
  maxMbps: number;
  /** Max frame size in macroblocks. */
  maxFs: number;
  /** Max video bitrate for Baseline/Main in kbit/s; High allows 1.25x. */
  maxBrKbps: number;
};

const LEVELS: LevelLimits[] = [
  { name: "1.0", idc: 10, maxMbps: 1485, maxFs: 99, maxBrKbps: 64 },
  { name: "1.1", idc: 11, maxMbps: 3000, maxFs: 396, maxBrKbps: 192 },
  { name: "1.2", idc: 12, maxMbps: 6000, maxFs: 396, maxBrKbps: 384 },
  { name: "1.3", idc: 13, maxMbps: 11880, maxFs: 396, maxBrKbps: 768 },
  { name: "2.0", idc: 20, maxMbps: 11880, maxFs: 396, maxBrKbps: 2000 },
  { name: "2.1", idc: 21, maxMbps: 19800, maxFs: 792, maxBrKbps: 4000 },
  { name: "2.2", idc: 22, maxMbps: 20250, maxFs: 1620, maxBrKbps: 4000 },
  { name: "3.0", idc: 30, maxMbps: 40500, maxFs: 1620, maxBrKbps: 10000 },
  { name: "3.1", idc: 31, maxMbps: 108000, maxFs: 3600, maxBrKbps: 14000 },
  { name: "3.2", idc: 32, maxMbps: 216000, maxFs: 5120, maxBrKbps: 20000 },
  { name: "4.0", idc: 40, maxMbps: 245760, maxFs: 8192, maxBrKbps: 20000 },
  { name: "4.1", idc: 41, maxMbps: 245760, maxFs: 8192, maxBrKbps: 50000 },
  { name: "4.2", idc: 42, maxMbps: 522240, maxFs: 8704, maxBrKbps: 50000 },
  { name: "5.0", idc: 50, maxMbps: 589824, maxFs: 22080, maxBrKbps: 135000 },
  { name: "5.1", idc: 51, maxMbps: 983040, maxFs: 36864, maxBrKbps: 240000 },
  { name: "5.2", idc: 52, maxMbps: 2073600, maxFs: 36864, maxBrKbps: 240000 },
  { name: "6.0", idc: 60, maxMbps: 4177920, maxFs: 139264, maxBrKbps: 240000 },
  { name: "6.1", idc: 61, maxMbps: 8355840, maxFs: 139264, maxBrKbps: 480000 },
  { name: "6.2", idc: 62, maxMbps: 16711680, maxFs: 139264, maxBrKbps: 800000 },
];

const HIGH_PROFILE_BITRATE_FACTOR = 1.25;

export function pickH264Level(
  width: number,
  height: number,
  frameRate: number,
  maxKbps: number,
): { name: string; idc: number } {
  const mbWidth = Math.ceil(width / 16);
  const mbHeight = Math.ceil(height / 16);
  const frameMbs = mbWidth * mbHeight;
  const mbps = frameMbs * frameRate;
  for (const level of LEVELS) {
    // A side may not exceed sqrt(8 * MaxFS) macroblocks (A.3.1 h/i).
    const maxSideMbs = Math.sqrt(level.maxFs * 8);
    if (
      frameMbs <= level.maxFs &&
      mbWidth <= maxSideMbs &&
      mbHeight <= maxSideMbs &&
      mbps <= level.maxMbps &&
      maxKbps <= level.maxBrKbps * HIGH_PROFILE_BITRATE_FACTOR
    ) {
      return { name: level.name, idc: level.idc };
    }
  }
  const top = LEVELS[LEVELS.length - 1]!;
  return { name: top.name, idc: top.idc };
}

/** RFC 6381 codec string for H.264 High profile at the given level_idc ("avc1.64001f"). */
export function h264HighCodecs(levelIdc: number): string {
  return `avc1.6400${levelIdc.toString(16).padStart(2, "0")}`;
}
