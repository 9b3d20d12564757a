// The image codecs a custom poster goes through, as WebAssembly (jSquash: MozJPEG, libwebp, the
// png crate and Squoosh's resizer). A Worker may not fetch or compile wasm at run time, so each
// module is imported already compiled (wrangler and the vitest pool both turn a `.wasm?module` import
// into a WebAssembly.Module) and handed to its codec once, on the first poster an isolate handles.
import decodeJpegWasm, { init as initJpegDecoder } from "@jsquash/jpeg/decode.js";
import encodeJpegWasm, { init as initJpegEncoder } from "@jsquash/jpeg/encode.js";
import decodePngWasm, { init as initPngDecoder } from "@jsquash/png/decode.js";
import decodeWebpWasm, { init as initWebpDecoder } from "@jsquash/webp/decode.js";
import resizeWasm, { initResize } from "@jsquash/resize";
import jpegDecoderModule from "@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm?module";
import jpegEncoderModule from "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm?module";
import pngModule from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm?module";
import webpDecoderModule from "@jsquash/webp/codec/dec/webp_dec.wasm?module";
import resizeModule from "@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm?module";

export type Pixels = { data: Uint8ClampedArray; width: number; height: number };
export type PosterImageType = "jpg" | "png" | "webp";

let ready: Promise<unknown> | null = null;

function initCodecs(): Promise<unknown> {
  // The codecs build their ImageData results with this constructor; workerd has none.
  (globalThis as { ImageData?: unknown }).ImageData ??= class {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
  ready ??= Promise.all([
    initJpegDecoder(jpegDecoderModule),
    initJpegEncoder(jpegEncoderModule),
    initPngDecoder(pngModule),
    initWebpDecoder(webpDecoderModule),
    initResize(resizeModule),
  ]).catch((err: unknown) => {
    ready = null;
    throw err;
  });
  return ready;
}

/** RGBA pixels of an image; throws on anything the codec cannot read. */
export async function decodeImage(type: PosterImageType, bytes: Uint8Array): Promise<Pixels> {
  await initCodecs();
  const buffer = bytes.slice().buffer;
  try {
    // Upright as the camera meant it (phone photos are often stored sideways with an EXIF tag).
    if (type === "jpg") return await decodeJpegWasm(buffer, { preserveOrientation: true });
    return flattenOnBlack(type === "png" ? await decodePngWasm(buffer) : await decodeWebpWasm(buffer));
  } catch (err) {
    // A decoder that aborted (a wasm trap) is unusable: the next poster gets fresh instances.
    ready = null;
    throw err;
  }
}

/** JPEG has no alpha: transparent pixels become black (what a player shows behind a poster). */
function flattenOnBlack(pixels: Pixels): Pixels {
  const { data } = pixels;
  for (let i = 3; i < data.length; i += 4) {
    const alpha = data[i]!;
    if (alpha === 255) continue;
    data[i - 3] = (data[i - 3]! * alpha) / 255;
    data[i - 2] = (data[i - 2]! * alpha) / 255;
    data[i - 1] = (data[i - 1]! * alpha) / 255;
    data[i] = 255;
  }
  return pixels;
}

/** Scaled to exactly width × height, cropped from the middle to that aspect first (no bars, no stretching). */
export async function coverResize(pixels: Pixels, size: { width: number; height: number }): Promise<Pixels> {
  await initCodecs();
  if (pixels.width === size.width && pixels.height === size.height) return pixels;
  // jSquash calls the crop-then-scale mode "contain". Scaled in gamma space like FFmpeg's scaler
  // (the generated posters): linear light would need float copies of the image, about twice the
  // memory. The pixels are opaque (flattened), so no premultiplying either.
  return resizeWasm(pixels, { ...size, fitMethod: "contain", method: "lanczos3", linearRGB: false, premultiply: false });
}

export async function encodeJpeg(pixels: Pixels, quality: number): Promise<Uint8Array> {
  await initCodecs();
  return new Uint8Array(await encodeJpegWasm(pixels, { quality }));
}
