package org.qqt.figure5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.qqt.data.PoolMetadata;
import org.qqt.data.SubsetFile;
import org.qqt.data.Uid;
import org.qqt.filter.CaptionFilter;
import org.qqt.filter.FilterSpec;
import org.qqt.filter.ScoreFilter;
import org.qqt.filter.ScoreRange;
import org.qqt.io.AtomicFiles;
import org.qqt.io.Json;
import org.qqt.sweep.SweepConfig;

/**
 * filter: cut the pool into the config's buckets by score, as qqt filter, then write each validation mixture's
 * subset (the union of its buckets) next to them.
 */
final class FilterStep extends Figure5Step.Fingerprinted {
    FilterStep(Figure5Context ctx, StepLedger ledger) {
        super("filter", ctx, ledger);
    }

    /** The buckets, then the validation mixtures that are not buckets. */
    private List<String> subsetNames() {
        List<String> names = new ArrayList<>(ctx.sweep.bucketMap().keySet());
        for (String mixture : ctx.sweep.validation().mixtures()) {
            if (!names.contains(mixture)) {
                names.add(mixture);
            }
        }
        return names;
    }

    @Override
    List<Path> outputs() {
        return subsetNames().stream().map(ctx::subsetFile).toList();
    }

    @Override
    String fingerprint() {
        SweepConfig c = ctx.sweep;
        Path marker = ctx.scoreMarkerFile();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pool", ctx.pool().toString());
        m.put("score", ctx.config.scoreColumn());
        m.put("buckets", c.buckets());
        m.put("mixtures", c.validation().mixtures().stream().map(x -> x + "=" + c.partsOf(x)).toList());
        m.put("scored_by", ctx.config.teacher() == null ? "pool " + stamp(ctx.metadata())
                : Files.isRegularFile(marker) ? Json.readTree(marker).path("checkpoint_sha256").asText() : "?");
        return Fingerprints.hash(Json.compact(m));
    }

    /**
     * Size and modification time of the pool's metadata (a file, or each file of a directory): a given pool whose
     * scores were rewritten is cut again, without hashing gigabytes of parquet on every invocation.
     */
    private static String stamp(Path metadata) {
        try (var files = Files.isDirectory(metadata) ? Files.list(metadata).sorted() : java.util.stream.Stream.of(metadata)) {
            StringBuilder sb = new StringBuilder();
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    sb.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                            .append(Files.getLastModifiedTime(f).toMillis()).append(' ');
                }
            }
            return sb.toString().strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void run() {
        SweepConfig c = ctx.sweep;
        List<ScoreRange> ranges = new ArrayList<>();
        for (SweepConfig.Bucket b : c.buckets()) {
            ranges.add(new ScoreRange(b.from(), b.to()));
        }
        FilterSpec spec = new FilterSpec(ctx.config.scoreColumn(), ranges, null, 0, CaptionFilter.NONE);
        Path work = ctx.subsetsDir().resolve(".filter");
        try (PoolMetadata pm = PoolMetadata.open(ctx.metadata())) {
            ScoreFilter.run(pm, spec, work, "qqt figure5 --config " + ctx.options.config());
        }
        try {
            int i = 0;
            for (SweepConfig.Bucket b : c.buckets()) {
                Path from = work.resolve(spec.fileName(ranges.get(i++)));
                AtomicFiles.writeBytes(ctx.subsetFile(b.name()), Files.readAllBytes(from));
            }
            for (String mixture : c.validation().mixtures()) {
                if (c.bucketMap().containsKey(mixture)) {
                    continue;
                }
                List<Uid> all = new ArrayList<>();
                for (String b : c.partsOf(mixture)) {
                    all.addAll(SubsetFile.read(ctx.subsetFile(b)).uids());
                }
                SubsetFile.of(all).write(ctx.subsetFile(mixture));
            }
            Files.copy(work.resolve("manifest.json"), ctx.subsetsDir().resolve("manifest.json"),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String n : subsetNames()) {
            ctx.out.printf(Locale.ROOT, "  %-14s %8d samples%n", n, SubsetFile.read(ctx.subsetFile(n)).size());
        }
    }
}
