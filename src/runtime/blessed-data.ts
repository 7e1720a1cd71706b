// blessed reads its fallback terminfo/termcap files and BigText fonts from `<blessed>/usr`,
// found via __dirname. The binary build rewrites those reads to call blessedUsrDir() (see
// scripts/sea/plugins.ts), so they get the copies embedded in the binary, extracted on
// first use; in a checkout it is the installed package's folder.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveAssetDir } from './assets.ts';
import { inSingleBinary } from './sea.ts';

/** Asset prefix under which the build embeds blessed's usr/ folder. */
export const BLESSED_USR_ASSET_DIR = 'vendor/blessed/usr';

/**
 * blessed's usr/ folder. In the binary only the terminfo/termcap files are extracted, plus
 * the BigText fonts (640 kB) when `withFonts` (the BigText widget's reads ask for them).
 */
export function blessedUsrDir(withFonts = false): string {
  if (inSingleBinary()) {
    if (withFonts) resolveAssetDir(`${BLESSED_USR_ASSET_DIR}/fonts`);
    return resolveAssetDir(BLESSED_USR_ASSET_DIR, { recursive: false });
  }
  const pkg = createRequire(import.meta.url).resolve('blessed/package.json');
  return join(dirname(pkg), 'usr');
}
