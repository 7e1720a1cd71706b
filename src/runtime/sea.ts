// The one place that talks to node:sea (the single-binary runtime API).
import { getRawAsset, isSea } from 'node:sea';

/** The asset listing the build embeds next to the files (see scripts/sea/assets.ts). */
export const MANIFEST_KEY = 'netscope/manifest.json';

export interface AssetManifest {
  /** Keyed by path relative to the project root, '/'-separated. */
  files: Record<string, { mode: number; size: number }>;
}

export function inSingleBinary(): boolean {
  return isSea();
}

let manifest: AssetManifest | undefined;

export function embeddedManifest(): AssetManifest {
  if (manifest === undefined) {
    manifest = JSON.parse(new TextDecoder().decode(getRawAsset(MANIFEST_KEY))) as AssetManifest;
  }
  return manifest;
}

/** The bytes of an embedded asset. Read-only view into the executable: copy before changing. */
export function embeddedAsset(key: string): ArrayBuffer {
  return getRawAsset(key);
}
