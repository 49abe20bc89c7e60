package org.qqt.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {
    private static float[] at(double degrees, double norm) {
        double a = Math.toRadians(degrees);
        return new float[] {(float) (norm * Math.cos(a)), (float) (norm * Math.sin(a))};
    }

    /**
     * Images at 0°, 90°, 180°; two captions each at 10°, 80° (image 0), 95°, 165° (image 1), 260°, 300°
     * (image 2). Ranks worked out by hand from the angles (see comments); norms vary to test normalisation.
     */
    @Test
    void threeImagesTwoCaptionsEachMatchHandComputedRecalls() {
        float[][] images = {at(0, 1), at(90, 3), at(180, 0.5)};
        float[][] texts = {at(10, 1), at(80, 2), at(95, 1), at(165, 1), at(260, 0.2), at(300, 1)};
        int[] owner = {0, 0, 1, 1, 2, 2};
        RetrievalMetrics m = RetrievalMetrics.compute(images, texts, owner);
        // caption -> images: own image first for captions 0 (10°), 2 (95°), 4 (260°); second for 1, 3, 5
        assertEquals(0.5, m.imageRetrievalRecall(1), 1e-15);
        assertEquals(1.0, m.imageRetrievalRecall(5), 1e-15);
        assertEquals(1.0, m.imageRetrievalRecall(10), 1e-15);
        // image -> captions: image 0 ranks caption 0 first, image 1 caption 2 first; image 2 ranks caption 3
        // (165°, not its own) first and its own caption 4 second
        assertEquals(2.0 / 3, m.textRetrievalRecall(1), 1e-15);
        assertEquals(1.0, m.textRetrievalRecall(5), 1e-15);
        assertEquals(1.0, m.textRetrievalRecall(10), 1e-15);
        assertEquals(0.5 * (0.5 + 2.0 / 3), m.meanRecallAt1(), 1e-15);
        assertEquals(List.copyOf(m.asMap().keySet()), RetrievalMetrics.NAMES);
    }

    @Test
    void recallAtFiveCountsOnlyTheTopFive() {
        // images at 0°, 25°, ..., 150°; caption j at j·25°+1° belongs to image j; caption 7 at 151° belongs to
        // image 0, which is the 7th image in its ranking (rank 6): a miss at 5, a hit at 10
        float[][] images = new float[7][];
        float[][] texts = new float[8][];
        int[] owner = new int[8];
        for (int i = 0; i < 7; i++) {
            images[i] = at(i * 25, 1);
            texts[i] = at(i * 25 + 1, 1);
            owner[i] = i;
        }
        texts[7] = at(151, 1);
        owner[7] = 0;
        RetrievalMetrics m = RetrievalMetrics.compute(images, texts, owner);
        assertEquals(7.0 / 8, m.imageRetrievalRecall(1), 1e-15);
        assertEquals(7.0 / 8, m.imageRetrievalRecall(5), 1e-15);
        assertEquals(1.0, m.imageRetrievalRecall(10), 1e-15);
        assertEquals(1.0, m.textRetrievalRecall(1), 1e-15, "every image's nearest caption is its own");
    }

    @Test
    void imageWithoutCaptionIsRejected() {
        float[][] images = {at(0, 1), at(90, 1)};
        float[][] texts = {at(0, 1)};
        assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.compute(images, texts, new int[] {0}));
    }

    @Test
    void identicalImagesTieToTheLowerIndex() {
        float[][] images = {at(0, 1), at(0, 1)};
        float[][] texts = {at(0, 1), at(0, 1)};
        RetrievalMetrics m = RetrievalMetrics.compute(images, texts, new int[] {0, 1});
        // caption 1 belongs to image 1, tied with image 0, which ranks first -> miss; likewise for texts
        assertEquals(0.5, m.imageRetrievalRecall(1), 1e-15);
        assertEquals(0.5, m.textRetrievalRecall(1), 1e-15);
        assertEquals(1.0, m.textRetrievalRecall(5), 1e-15);
    }

    @Test
    void tiledComputationMatchesBruteForceRanksIncludingTies() {
        java.util.Random r = new java.util.Random(7);
        int n = 23;
        float[][] images = new float[n][];
        for (int i = 0; i < n; i++) {
            // coarse integer coordinates make exact ties common; images 5 and 6 are identical
            images[i] = new float[] {r.nextInt(3), r.nextInt(3), r.nextInt(3) + 1};
        }
        images[6] = images[5].clone();
        List<float[]> texts = new java.util.ArrayList<>();
        List<Integer> owner = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 1 + i % 3; c++) {
                texts.add(new float[] {r.nextInt(3), r.nextInt(3), r.nextInt(3) + 1});
                owner.add(i);
            }
        }
        float[][] tx = texts.toArray(new float[0][]);
        int[] own = owner.stream().mapToInt(Integer::intValue).toArray();
        double[] hitsImage = new double[3];
        double[] hitsText = new double[3];
        int[] ks = {1, 5, 10};
        for (int j = 0; j < tx.length; j++) {
            int rank = rankOfOwn(tx[j], images, own[j]);
            for (int k = 0; k < 3; k++) {
                hitsImage[k] += rank < ks[k] ? 1 : 0;
            }
        }
        for (int i = 0; i < n; i++) {
            int best = Integer.MAX_VALUE;
            for (int j = 0; j < tx.length; j++) {
                if (own[j] == i) {
                    best = Math.min(best, rankOfOwn(images[i], tx, j));
                }
            }
            for (int k = 0; k < 3; k++) {
                hitsText[k] += best < ks[k] ? 1 : 0;
            }
        }
        for (int tile : new int[] {1, 4, n, 1000}) {
            RetrievalMetrics m = RetrievalMetrics.compute(images, tx, own, tile);
            for (int k = 0; k < 3; k++) {
                assertEquals(hitsImage[k] / tx.length, m.imageRetrievalRecall(ks[k]), 1e-15, "tile " + tile);
                assertEquals(hitsText[k] / n, m.textRetrievalRecall(ks[k]), 1e-15, "tile " + tile);
            }
        }
    }

    /** Brute force: rank of candidate {@code own} for {@code query}, ties to the lower index. */
    private static int rankOfOwn(float[] query, float[][] candidates, int own) {
        double[] s = new double[candidates.length];
        for (int i = 0; i < candidates.length; i++) {
            s[i] = Vectors.dot(Vectors.normalized(query), Vectors.normalized(candidates[i]));
        }
        return ClassificationMetrics.rankOf(s, own);
    }
}
