package org.qqt.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-decile statistics of a pool by true quality (decile 1 = the top 10% by q): how the latent quality shows
 * in captions (accuracy of attribute words, junk), images (corruption) and diversity (near-duplicates). A
 * study of the generator, never a filter input.
 */
public final class PoolStats {
    /** One decile: mean q, mean caption accuracy over non-junk captions, junk / corrupt / duplicate rates. */
    public record Decile(int decile, int n, double qMin, double qMax, double meanQ, double captionAccuracy,
                         double junk, double corrupt, double duplicate) {}

    private PoolStats() {}

    /** Deciles of {@code samples} by true quality, best first. */
    public static List<Decile> byDecile(List<PoolSample> samples) {
        List<PoolSample> sorted = new ArrayList<>(samples);
        sorted.sort((a, b) -> Double.compare(b.trueQuality(), a.trueQuality()));
        List<Decile> out = new ArrayList<>();
        int n = sorted.size();
        for (int d = 0; d < 10; d++) {
            int from = (int) ((long) n * d / 10);
            int to = (int) ((long) n * (d + 1) / 10);
            if (to <= from) {
                continue;
            }
            double q = 0, acc = 0, junk = 0, corrupt = 0, dup = 0;
            int clean = 0;
            for (PoolSample s : sorted.subList(from, to)) {
                q += s.trueQuality();
                if (s.junk()) {
                    junk++;
                } else {
                    acc += s.captionCorrect();
                    clean++;
                }
                corrupt += s.corrupt() ? 1 : 0;
                dup += s.dupGroup() >= 0 ? 1 : 0;
            }
            int m = to - from;
            out.add(new Decile(d + 1, m, sorted.get(to - 1).trueQuality(), sorted.get(from).trueQuality(), q / m,
                    clean == 0 ? Double.NaN : acc / clean, junk / m, corrupt / m, dup / m));
        }
        return out;
    }

    /** A markdown table of the deciles. */
    public static String markdown(List<Decile> deciles) {
        StringBuilder sb = new StringBuilder();
        sb.append("| decile (by q) | n | q range | mean q | caption accuracy | junk | corrupt | duplicate |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Decile d : deciles) {
            sb.append(String.format(Locale.ROOT, "| %d (top %d–%d%%) | %d | %.3f–%.3f | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
                    d.decile(), 10 * (d.decile() - 1), 10 * d.decile(), d.n(), d.qMin(), d.qMax(), d.meanQ(),
                    d.captionAccuracy(), d.junk(), d.corrupt(), d.duplicate()));
        }
        return sb.toString();
    }
}
