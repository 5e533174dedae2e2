import { zipSync, type Zippable } from 'fflate';

/**
 * Builds a pipeline artifact: a zip of files (templates, template configuration) in memory, as
 * CodePipeline's source action stores it in the artifact bucket.
 */
export function buildArtifactZip(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const [path, content] of Object.entries(files)) {
    entries[path] = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  }
  return zipSync(entries, { level: 6, mtime: new Date(Date.UTC(2024, 4, 1)) });
}
