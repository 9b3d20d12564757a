// Real JPEG, PNG and WebP files for the poster tests, made in workerd with the same kind of wasm
// encoders (jSquash): the left half red, the right half blue, so a test can tell a crop or a
// mirror from the image it sent.
import encodeJpeg, { init as initJpeg } from "@jsquash/jpeg/encode.js";
import encodePng, { init as initPng } from "@jsquash/png/encode.js";
import encodeWebp, { init as initWebp } from "@jsquash/webp/encode.js";
import jpegEncoderModule from "@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm?module";
import pngModule from "@jsquash/png/codec/pkg/squoosh_png_bg.wasm?module";
// workerd has wasm SIMD, so the WebP encoder picks its SIMD build.
import webpEncoderModule from "@jsquash/webp/codec/enc/webp_enc_simd.wasm?module";

export type TestImageType = "jpeg" | "png" | "webp";

let ready: Promise<unknown> | null = null;

export function halves(width: number, height: number, leftAlpha = 255) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 4;
      const left = x < width / 2;
      data.set(left ? [220, 20, 20, leftAlpha] : [20, 20, 220, 255], at);
    }
  }
  return { data, width, height };
}

/** An image file of this type and size (red left half, blue right half; the left half's alpha for PNG and WebP). */
export async function testImage(type: TestImageType, width: number, height: number, leftAlpha = 255): Promise<Uint8Array> {
  ready ??= Promise.all([initJpeg(jpegEncoderModule), initPng(pngModule), initWebp(webpEncoderModule)]);
  await ready;
  const pixels = halves(width, height, leftAlpha);
  const encoded = type === "jpeg" ? await encodeJpeg(pixels, { quality: 90 }) : type === "png" ? await encodePng(pixels) : await encodeWebp(pixels, { quality: 90 });
  return new Uint8Array(encoded);
}
