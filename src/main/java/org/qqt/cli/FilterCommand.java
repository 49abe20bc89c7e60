package org.qqt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qqt.data.PoolMetadata;
import org.qqt.filter.BucketResult;
import org.qqt.filter.CaptionFilter;
import org.qqt.filter.FilterManifest;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreFilter;
import org.qqt.filter.ScoreRange;
import org.qqt.io.Checks;
import org.qqt.io.DirLock;
import org.qqt.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qqt filter}: quality buckets of a pool by a score column, as DataComp subset files. */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Rank a pool's metadata by a float score column and write buckets as DataComp subset files "
                + "(.npy, dtype u8,u8) plus manifest.json.",
                "Threshold rule (DataComp): threshold(f) = score at index int(N*f) of the scores sorted descending; "
                        + "range p-q keeps threshold(q) <= score < threshold(p)."},
        footer = {"", "Examples:",
                "  qqt filter --metadata pool/metadata --score clip_l14_similarity_score --top 30 --out subsets/l14-top30",
                "  qqt filter --metadata pool.parquet --score teacher_score --range 0-10,10-20,20-30,30-40 --out buckets",
                "  qqt filter --metadata pool.parquet --score teacher_score --range 0-40 --random 25 --seed 0 --out mix"})
final class FilterCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--metadata", required = true, paramLabel = "PATH",
            description = "Pool metadata: a .parquet file or a directory of them.")
    Path metadata;

    @Option(names = "--score", required = true, paramLabel = "COLUMN",
            description = "Float column to rank by (e.g. clip_l14_similarity_score, teacher_score).")
    String score;

    @Option(names = "--top", paramLabel = "PERCENT", description = "Write the top PERCENT%% (file top0-PERCENT.npy).")
    Double top;

    @Option(names = "--range", paramLabel = "FROM-TO[,...]",
            description = "Disjoint percentage ranges of the ranking, one bucket each, e.g. 0-10,10-20,20-30,30-40.")
    String range;

    @Option(names = "--random", paramLabel = "PERCENT",
            description = "Keep a seeded random PERCENT%% of each bucket (e.g. --range 0-40 --random 25).")
    Double random;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of --random (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--basic", description = "DataComp basic filter's caption part: words > 2 and characters > 5.")
    boolean basic;

    @Option(names = "--min-caption-words", paramLabel = "N", description = "Keep captions with at least N words.")
    Integer minWords;

    @Option(names = "--min-caption-chars", paramLabel = "N", description = "Keep captions with at least N characters.")
    Integer minChars;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--format", defaultValue = "table", description = "Summary on stdout: json, csv or table (default).")
    OutputFormat format;

    @Override
    public void run() {
        List<ScoreRange> ranges = new ArrayList<>();
        if (top != null) {
            ranges.add(ScoreRange.top(top));
        }
        if (range != null) {
            for (ScoreRange r : ScoreRange.parseList(range)) {
                if (!ranges.contains(r)) {
                    ranges.add(r);
                }
            }
        }
        CaptionFilter caption = basic ? CaptionFilter.BASIC : CaptionFilter.NONE;
        if (minWords != null || minChars != null) {
            caption = new CaptionFilter(minWords != null ? minWords : caption.minWords(),
                    minChars != null ? minChars : caption.minChars());
        }
        FilterSpec fs = new FilterSpec(score, ranges, random, seed, caption);
        String command = Qqt.typed(spec);
        FilterManifest m;
        Checks.outputDir("--out", out);
        try (DirLock lock = DirLock.acquire(out, "qqt filter"); PoolMetadata pool = PoolMetadata.open(metadata)) {
            m = ScoreFilter.run(pool, fs, out, command);
        }
        print(spec.commandLine().getOut(), m, format);
    }

    static void print(PrintWriter w, FilterManifest m, OutputFormat format) {
        switch (format) {
            case json -> w.println(Json.compact(m));
            case csv -> {
                w.println("range,file,count,fraction,threshold_low,threshold_high,min_score,max_score");
                for (BucketResult b : m.buckets()) {
                    w.println(String.join(",", b.range(), b.file(), Long.toString(b.count()), Double.toString(b.fraction()),
                            str(b.thresholdLow()), str(b.thresholdHigh()), str(b.minScore()), str(b.maxScore())));
                }
            }
            case table -> {
                w.printf(Locale.ROOT, "%d rows ranked by %s (of %d)%n", m.rankedRows(), m.scoreColumn(), m.poolRows());
                w.printf(Locale.ROOT, "%-10s %-24s %12s %9s %12s %12s%n", "range", "file", "count", "fraction",
                        "score >=", "score <");
                for (BucketResult b : m.buckets()) {
                    w.printf(Locale.ROOT, "%-10s %-24s %12d %9.4f %12s %12s%n", b.range(), b.file(), b.count(),
                            b.fraction(), str(b.thresholdLow()), str(b.thresholdHigh()));
                }
            }
        }
        w.flush();
    }

    private static String str(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
