// CODECS for the master playlist, read from what the encoder actually wrote (the avcC box in
// the rung's init.mp4) rather than from what we asked for.

/** "avc1.PPCCLL" from the first avcC box, or null if the init segment has none. */
export function avcCodecsFromInit(init: Uint8Array): string | null {
  const tag = [0x61, 0x76, 0x63, 0x43]; // "avcC"
  for (let i = 4; i + 8 <= init.length; i += 1) {
    if (init[i] !== tag[0] || init[i + 1] !== tag[1] || init[i + 2] !== tag[2] || init[i + 3] !== tag[3]) {
      continue;
    }
    const configurationVersion = init[i + 4];
    if (configurationVersion !== 1) continue;
    const hex = (n: number) => n.toString(16).padStart(2, "0");
    return `avc1.${hex(init[i + 5])}${hex(init[i + 6])}${hex(init[i + 7])}`;
  }
  return null;
}
