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
  // Upright as the camera meant it (phone photos are often stored sideways with an EXIF tag).
  if (type === "jpg") return decodeJpegWasm(buffer, { preserveOrientation: true });
  if (type === "png") return decodePngWasm(buffer);
  return decodeWebpWasm(buffer);
}

/** Scaled to exactly width × height, cropped from the middle to that aspect first (no bars, no stretching). */
export async function coverResize(pixels: Pixels, size: { width: number; height: number }): Promise<Pixels> {
  await initCodecs();
  if (pixels.width === size.width && pixels.height === size.height) return pixels;
  // jSquash calls the crop-then-scale mode "contain".
  return resizeWasm(pixels, { ...size, fitMethod: "contain", method: "lanczos3" });
}

export async function encodeJpeg(pixels: Pixels, quality: number): Promise<Uint8Array> {
  await initCodecs();
  return new Uint8Array(await encodeJpegWasm(pixels, { quality }));
}
