package org.qqt.figure5;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;
import org.qqt.io.SampleCount;
import org.qqt.synth.WorldConfig;
import org.qqt.synth.WorldWriter;

/** synth: generate the synthetic world (pool, teacher set, eval tasks) into {@code world.out}, as qqt synth. */
final class SynthStep extends Figure5Step {
    SynthStep(Figure5Context ctx) {
        super("synth", ctx);
    }

    private WorldConfig worldConfig() {
        Path file = ctx.abs(ctx.config.world().config());
        WorldConfig world = WorldConfig.load(file);
        String poolSize = ctx.sweep.poolSize();
        if (Math.rint(SampleCount.parse(poolSize)) != world.poolSize()) {
            throw BadInputException.inFile(ctx.options.config(), "pool_size is " + poolSize + " but the world config "
                    + file + " makes a pool of " + world.poolSize() + " samples; set pool_size: " + world.poolSize());
        }
        return world;
    }

    @Override
    String skipReason() {
        if (ctx.config.world() == null) {
            return "no world section: the pool " + ctx.pool() + " is given";
        }
        WorldConfig world = worldConfig();
        Path worldJson = ctx.worldOut().resolve("world.json");
        if (!Files.isRegularFile(worldJson)) {
            return null;
        }
        JsonNode node = Json.readTree(worldJson);
        boolean same = node.path("config").equals(Json.mapper().valueToTree(world))
                && node.path("seed").asLong(-1) == ctx.config.world().seedOrDefault()
                && !node.path("counts").path("metadata_only").asBoolean(false);
        if (!same) {
            throw BadInputException.inFile(ctx.options.config(), ctx.worldOut() + " holds a world made from another "
                    + "config or seed (see its world.json); delete it or change world.out");
        }
        return "world.json in " + ctx.worldOut() + " matches the config and seed";
    }

    @Override
    void run() {
        WorldConfig world = worldConfig();
        Path outDir = ctx.worldOut();
        Path marker = ctx.file(".synth-started");
        try {
            if (Files.isDirectory(outDir) && !Files.exists(outDir.resolve("world.json")) && Files.isRegularFile(marker)
                    && Files.readString(marker).trim().equals(outDir.toString())) {
                AtomicFiles.deleteTree(outDir); // our own interrupted synth: start it again
            }
            AtomicFiles.writeString(marker, outDir + "\n");
            new WorldWriter(world, ctx.config.world().seedOrDefault(), ctx.threads(), ctx.out).write(outDir, false);
            Files.deleteIfExists(marker);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
