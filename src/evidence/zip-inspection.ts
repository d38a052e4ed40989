// Office documents are zip containers: before one is kept, its entries are inspected within fixed
// bounds, so a zip bomb (a few kilobytes that inflate to gigabytes, or millions of entries) is
// refused instead of being handed to a reviewer's office suite. The central directory's declared
// sizes are checked first; then every entry is inflated and counted, and yauzl stops any entry
// that inflates beyond what it declared, so the work done is bounded by the limits below.
import { Readable } from 'node:stream'
import yauzl from 'yauzl'

export interface ZipLimits {
  entries: number
  totalUncompressed: number
  ratio: number
}

export const ZIP_LIMITS: ZipLimits = {
  /** Entries in one document. */
  entries: 10_000,
  /** Bytes all entries together may inflate to. */
  totalUncompressed: 256 * 1024 * 1024,
  /** How much larger than its compressed size an entry of more than 1 MiB may be. */
  ratio: 100,
}

/** Reads bytes [start, end) of the stored file. */
export type RangeReader = (start: number, end: number) => AsyncIterable<Uint8Array>

class Reader extends yauzl.RandomAccessReader {
  constructor(private readonly range: RangeReader) {
    super()
  }
  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.range(start, end))
  }
}

/** null when the container is within bounds, otherwise why it is refused. */
export async function zipProblem(read: RangeReader, size: number, limits: ZipLimits = ZIP_LIMITS): Promise<string | null> {
  let zip: yauzl.ZipFile
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(new Reader(read), size, { lazyEntries: true, validateEntrySizes: true, autoClose: false })
  } catch {
    return 'it is not a readable office document (its zip structure is broken)'
  }
  try {
    if (zip.entryCount > limits.entries) return `it holds ${zip.entryCount} entries (at most ${limits.entries})`
    const entries: yauzl.Entry[] = []
    let declared = 0
    for await (const entry of zip.eachEntry()) {
      declared += entry.uncompressedSize
      if (declared > limits.totalUncompressed) return `it would expand to more than ${limits.totalUncompressed / 1024 / 1024} MiB (a zip bomb)`
      if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize > limits.ratio * Math.max(1, entry.compressedSize)) {
        return `an entry expands more than ${limits.ratio} times (a zip bomb)`
      }
      if (entry.isEncrypted()) return 'it holds encrypted entries'
      entries.push(entry)
    }
    let inflated = 0
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue
      const stream = await zip.openReadStreamPromise(entry)
      for await (const piece of stream as AsyncIterable<Buffer>) {
        inflated += piece.length
        if (inflated > limits.totalUncompressed) {
          stream.destroy()
          return `it would expand to more than ${limits.totalUncompressed / 1024 / 1024} MiB (a zip bomb)`
        }
      }
    }
    return null
  } catch {
    // yauzl refuses entries larger than they declared, bad compression methods and broken data.
    return 'it is not a readable office document (an entry is broken or larger than it declares: a zip bomb)'
  } finally {
    zip.close()
  }
}
