package org.qqt.data;

/**
 * Counts of a {@link ShardLoader}: what indexing the shards met and what was served.
 *
 * @param shards             shard files opened
 * @param shardsEmpty        shards with no samples (skipped)
 * @param shardsCorrupt      shards cut short by a read error (truncated, not a tar): their earlier samples are kept
 * @param samplesRead        complete samples read from the shards
 * @param samplesCut         samples lost to a read error in the middle of them
 * @param notInSubset        samples whose uid is not in the subset (dropped, as the resharder does)
 * @param missingUid         samples without a .json holding a 32-hex {@code uid} (dropped)
 * @param missingImage       samples without a .jpg/.png/.jpeg/.webp member (dropped)
 * @param missingText        samples without a .txt caption (dropped, as open_clip does)
 * @param captionsRepaired   captions that were not valid UTF-8: decoded with U+FFFD replacement and kept
 * @param imagesCorrupt      images that failed to decode, or decoded with a warning (truncated): dropped
 * @param imagesTooLarge     images over the pixel cap (header checked before decoding): dropped
 * @param imagesUnsupported  images no ImageIO reader recognises: dropped
 * @param duplicateUids      kept samples whose uid was already kept from an earlier shard (each copy is served)
 * @param subsetUidsMissing  subset uids with no usable sample in the shards
 * @param samplesKept        distinct samples the loader serves
 * @param epochSize          samples per epoch = sum over kept samples of their subset counts
 * @param bytesInMemory      encoded image bytes held in memory
 * @param samplesOnDisk      kept samples whose bytes are re-read from their shard (memory cap reached)
 * @param samplesServed      exact number of samples returned in batches so far
 * @param imagesReplaced     images that failed to decode while serving (only without the decode check at open),
 *                           each replaced by the next decodable sample; counted once per failed decode
 */
public record LoaderStats(
        int shards, int shardsEmpty, int shardsCorrupt, long samplesRead, long samplesCut,
        long notInSubset, long missingUid, long missingImage, long missingText, long captionsRepaired,
        long imagesCorrupt, long imagesTooLarge, long imagesUnsupported, long duplicateUids, long subsetUidsMissing,
        long samplesKept, long epochSize, long bytesInMemory, long samplesOnDisk, long samplesServed,
        long imagesReplaced) {

    /** Samples dropped for any reason other than not being in the subset. */
    public long samplesDropped() {
        return samplesCut + missingUid + missingImage + missingText + imagesCorrupt + imagesTooLarge + imagesUnsupported;
    }
}
