package org.qqt.figure5;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.qqt.io.Json;

/**
 * {@code figure5-state.json}: what each step last did — its input fingerprint, when it finished and its wall
 * time — and every invocation's command line. A step is skipped when it finished with the same fingerprint and its
 * outputs exist; a changed fingerprint clears "finished" at once, so a step killed half-way is not skipped later.
 */
public final class StepLedger {
    /** The file name, in the sweep directory. */
    public static final String FILE = "figure5-state.json";

    private final Path file;
    private final Map<String, Object> state;

    /** The ledger of a sweep directory (empty when the file does not exist yet). */
    @SuppressWarnings("unchecked")
    public StepLedger(Path sweepDir) {
        this.file = sweepDir.resolve(FILE);
        this.state = Files.isRegularFile(file) ? new TreeMap<>(Json.read(file, Map.class)) : new TreeMap<>();
    }

    /** Records an invocation's start and command line. */
    @SuppressWarnings("unchecked")
    public void recordInvocation(String commandLine) {
        List<Object> inv = (List<Object>) state.computeIfAbsent("invocations", k -> new ArrayList<>());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started", Instant.now().toString());
        m.put("command", commandLine);
        inv.add(m);
        save();
    }

    /**
     * Whether step {@code name} may be skipped: it finished with this {@code fingerprint} and every output exists.
     * Returns the reason to skip, or null to run (then the new fingerprint is recorded, unfinished).
     */
    public String skipReason(String name, String fingerprint, List<Path> outputs) {
        Map<String, Object> st = step(name);
        boolean same = fingerprint.equals(st.get("fingerprint")) && st.get("finished") != null
                && outputs.stream().allMatch(Files::isRegularFile);
        st.put("fingerprint", fingerprint);
        if (!same) {
            st.remove("finished");
        }
        return same ? "inputs unchanged since " + st.get("finished") : null;
    }

    /** Records that step {@code name} finished now, after {@code seconds} of wall time. */
    public void finished(String name, double seconds) {
        Map<String, Object> st = step(name);
        st.put("seconds", Math.round(seconds * 10) / 10.0);
        st.put("finished", Instant.now().toString());
        save();
    }

    /** Each listed step's last wall time, in the given order (steps that never ran are left out). */
    @SuppressWarnings("unchecked")
    public Map<String, Double> seconds(List<String> steps) {
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, Object> all = (Map<String, Object>) state.getOrDefault("steps", Map.of());
        for (String s : steps) {
            if (all.get(s) instanceof Map<?, ?> m && m.get("seconds") instanceof Number n) {
                out.put(s, n.doubleValue());
            }
        }
        return out;
    }

    /** Every invocation, as "started  command line". */
    @SuppressWarnings("unchecked")
    public List<String> invocations() {
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) state.getOrDefault("invocations", List.of())) {
            if (o instanceof Map<?, ?> m) {
                out.add(m.get("started") + "  " + m.get("command"));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> step(String name) {
        Map<String, Object> steps = (Map<String, Object>) state.computeIfAbsent("steps", k -> new TreeMap<>());
        return (Map<String, Object>) steps.computeIfAbsent(name, k -> new TreeMap<>());
    }

    private void save() {
        Json.write(file, state);
    }
}
