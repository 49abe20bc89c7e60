package org.qqt.data;

/**
 * Counts of a {@link ShardLoader}: what indexing the shards met, and what serving has met so far.
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
 * @param captionsRepaired   captions that are not valid UTF-8: decoded with U+FFFD replacement and kept
 * @param duplicateUids      indexed samples whose uid was already indexed from an earlier position (each copy is served)
 * @param subsetUidsMissing  subset uids with no usable sample in the shards
 * @param samplesKept        distinct samples indexed (images not yet decoded)
 * @param epochSize          samples per epoch = sum over indexed samples of their subset counts
 * @param samplesServed      exact number of samples returned in batches so far
 * @param imagesCorrupt      distinct samples met so far whose image failed to decode or decoded with a warning
 * @param imagesTooLarge     distinct samples met so far whose image is over the pixel cap (header checked first)
 * @param imagesUnsupported  distinct samples met so far whose image no reader recognises
 * @param imagesSkipped      served places so far (a resumed loader counts from its checkpoint) where the planned
 *                           sample's image did not decode and the next decodable sample in index order stood in
 */
public record LoaderStats(
        int shards, int shardsEmpty, int shardsCorrupt, long samplesRead, long samplesCut,
        long notInSubset, long missingUid, long missingImage, long missingText, long captionsRepaired,
        long duplicateUids, long subsetUidsMissing, long samplesKept, long epochSize, long samplesServed,
        long imagesCorrupt, long imagesTooLarge, long imagesUnsupported, long imagesSkipped) {

    /** Samples dropped at indexing for any reason other than not being in the subset. */
    public long samplesDropped() {
        return samplesCut + missingUid + missingImage + missingText;
    }
}
