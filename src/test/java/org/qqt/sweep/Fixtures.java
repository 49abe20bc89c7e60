package org.qqt.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** A tiny shell "stage" instead of qqt train/eval, and sweep configs that run it. */
final class Fixtures {
    private Fixtures() {}

    /**
     * stage.sh KIND RUN_DIR COUNTER: appends "KIND RUN_ID" to COUNTER when it finishes; the train stage does
     * {@code steps} steps of {@code stepSeconds}, each one checkpointed (a file ckpt_i in the run dir) and
     * appended as "step i RUN_ID", skipping steps already checkpointed (so a killed run resumes).
     * Fails with exit 3 when RUN_DIR/../fail-KIND-RUN_ID exists; dies of SIGKILL when ../kill-KIND-RUN_ID exists.
     */
    static Path stageScript(Path dir, int steps, double stepSeconds) throws IOException {
        String s = """
                #!/bin/sh
                kind=$1; run=$2; counter=$3; id=$(basename "$run")
                echo "stage $kind of $id, threads ${OMP_NUM_THREADS:-?}"
                if [ -f "$run/../fail-$kind-$id" ]; then echo "something broke in $kind: bad input 42"; exit 3; fi
                if [ -f "$run/../kill-$kind-$id" ]; then rm -f "$run/../kill-$kind-$id"; kill -9 $$; fi
                if [ "$kind" = train ]; then
                  i=1
                  while [ $i -le %d ]; do
                    if [ ! -f "$run/ckpt_$i" ]; then
                      sleep %s
                      # record the step and its checkpoint together: a TERM in between waits until both exist
                      trap 'term=1' TERM
                      echo "step $i $id" >> "$counter" && touch "$run/ckpt_$i"
                      trap - TERM
                      if [ -n "$term" ]; then kill -TERM $$; fi
                    fi
                    i=$((i + 1))
                  done
                fi
                echo "$kind $id" >> "$counter"
                """.formatted(steps, Double.toString(stepSeconds));
        Path f = dir.resolve("stage.sh");
        Files.writeString(f, s, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return f;
    }

    /** A sweep of {@code buckets} buckets × epochs [1] × seed 0 (plus extra YAML), whose stages run {@code stage}. */
    static Path config(Path dir, String name, int buckets, Path stage, String extra) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("name: ").append(name).append('\n');
        b.append("runs: ").append(dir.resolve("runs")).append('\n');
        b.append("pool: ").append(dir.resolve("pool")).append('\n');
        b.append("pool_size: 1000\n");
        b.append("model: ").append(dir.resolve("tiny.json")).append('\n');
        b.append("buckets:\n");
        for (int i = 0; i < buckets; i++) {
            b.append("  - {name: b").append(i).append(", from: ").append(i * 10).append(", to: ").append(i * 10 + 10)
                    .append("}\n");
        }
        b.append("epochs: [1]\n");
        b.append("stages:\n");
        for (String kind : List.of("train", "eval")) {
            b.append("  - name: ").append(kind).append('\n');
            b.append("    command: [\"").append(stage).append("\", ").append(kind).append(", \"{run_dir}\", \"")
                    .append(dir.resolve("counter.txt")).append("\"]\n");
        }
        b.append(extra);
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, b.toString(), StandardCharsets.UTF_8);
        return f;
    }

    static List<String> counter(Path dir) throws IOException {
        Path f = dir.resolve("counter.txt");
        return Files.isRegularFile(f) ? Files.readAllLines(f) : List.of();
    }

    static long count(List<String> lines, String line) {
        return lines.stream().filter(line::equals).count();
    }
}
