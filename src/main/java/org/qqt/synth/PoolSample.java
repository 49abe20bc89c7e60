package org.qqt.synth;

/**
 * One pool (or teacher) sample, everything decided but the pixels: {@link PoolGenerator#image(PoolSample)}
 * renders them on demand, so metadata can be made without rendering.
 *
 * @param index          position in the pool (0-based)
 * @param uid            32 lowercase hex chars
 * @param text           the caption
 * @param trueQuality    latent quality q (diagnostic only: never a filter input)
 * @param captionCorrect fraction of the caption's attribute words that are true (0 for junk)
 * @param mentions       attribute words in the caption
 * @param junk           the caption is junk (a file name or shop spam)
 * @param corruption     "" or the image corruption: noise, blur, jpeg, occlusion
 * @param dupGroup       the near-duplicate group (template scene id), or −1
 * @param scene          what the image shows
 * @param jpegQuality    quality the image is encoded at (low for the "jpeg" corruption)
 */
public record PoolSample(long index, String uid, String text, double trueQuality, double captionCorrect,
                         int mentions, boolean junk, String corruption, int dupGroup, Scene scene,
                         int jpegQuality) {
    public boolean corrupt() {
        return !corruption.isEmpty();
    }

    public int objectCount() {
        return scene.objects().size();
    }
}
