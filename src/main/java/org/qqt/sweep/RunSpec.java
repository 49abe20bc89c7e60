package org.qqt.sweep;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * One planned run of a sweep, written to {@code runs/<sweep>/<id>/sweep-run.json}. The id is
 * {@code <pool>-e<epochs>-s<seed>-<hash8>} (bucket runs) or {@code <mixture>-<budget>-s<seed>-<hash8>}
 * (validation runs), where hash8 is the first 8 hex digits of the SHA-256 of the run's normalized spec
 * ({@link #identity()}): the same config gives the same ids whatever the order of its lists.
 * {@code stages} hold the commands with every placeholder resolved except {@code {threads}}, which the
 * executor fills in when it starts the run.
 */
public record RunSpec(
        String id,
        String kind,
        @JsonProperty("pool_name") String poolName,
        List<String> buckets,
        @JsonProperty("pool_size") double poolSize,
        Integer epochs,
        @JsonProperty("samples_seen") double samplesSeen,
        int seed,
        String pool,
        String score,
        String subset,
        String model,
        int batch,
        double lr,
        String suite,
        List<SweepConfig.Stage> stages) {

    /** The placeholders a stage command may use. */
    public static final Set<String> PLACEHOLDERS = Set.of("qqt", "pool", "score", "subset", "pool_name",
            "pool_size", "samples_seen", "epochs", "model", "batch", "micro_batch", "precision", "lr", "seed", "threads",
            "suite", "tasks_root", "run_dir", "run_id", "sweep_dir", "vocab");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    /** What makes a run this run: the fields its result depends on (not the commands, paths of tools or executor). */
    Map<String, Object> identity() {
        Map<String, Object> m = new TreeMap<>();
        m.put("kind", kind);
        m.put("pool_name", poolName);
        m.put("buckets", buckets);
        m.put("pool_size", poolSize);
        m.put("samples_seen", samplesSeen);
        m.put("seed", seed);
        m.put("pool", pool);
        m.put("score", score);
        m.put("model", model);
        m.put("batch", batch);
        m.put("lr", lr);
        m.put("suite", suite);
        return m;
    }

    /** The first 8 hex digits of the SHA-256 of the normalized identity. */
    static String hash8(Map<String, Object> identity) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(Json.compact(identity).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces {name} in each argument; {threads} is kept when {@code values} has no entry for it. */
    static List<String> substitute(List<String> command, Map<String, String> values, String where) {
        List<String> out = new ArrayList<>(command.size());
        for (String arg : command) {
            Matcher m = PLACEHOLDER.matcher(arg);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String key = m.group(1);
                String v = values.get(key);
                if (v == null) {
                    if (!PLACEHOLDERS.contains(key)) {
                        throw new BadInputException(where + ": unknown placeholder {" + key + "} (known: "
                                + new java.util.TreeSet<>(PLACEHOLDERS) + ")");
                    }
                    if (!key.equals("threads")) {
                        throw new BadInputException(where + ": placeholder {" + key + "} has no value for this run "
                                + "(set \"" + key + "\" in the sweep config, or drop it from the stage)");
                    }
                    v = m.group(0);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out;
    }

    /** The stages' commands with {threads} filled in. */
    public List<List<String>> commands(int threads) {
        List<List<String>> out = new ArrayList<>();
        for (SweepConfig.Stage s : stages) {
            out.add(substitute(s.command(), Map.of("threads", Integer.toString(threads)), "run " + id));
        }
        return out;
    }
}
