package org.qqt.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One webdataset sample: the consecutive tar members that share a key ({@code 000000010042.jpg},
 * {@code 000000010042.txt}, {@code 000000010042.json} → key {@code 000000010042}), by extension
 * ({@code "jpg"}, {@code "txt"}, ...: everything after the first dot of the member's base name).
 * {@code offsets} gives each member's data offset in the shard file (tars are uncompressed, so a member
 * can be read back later with one positional read), and {@code sizes} its length in bytes; both are empty for
 * samples not read from a file. A sample read by {@link ShardReader#headers} has data in {@code members} only
 * for the extensions asked for; the others are listed in {@code offsets} and {@code sizes} only.
 */
public record WdsSample(Path shard, String key, Map<String, byte[]> members, Map<String, Long> offsets,
                        Map<String, Long> sizes) {
    /** Image extensions in the order a training loader prefers them (open_clip: jpg;png;jpeg;webp). */
    public static final List<String> TRAIN_IMAGE_EXTS = List.of("jpg", "png", "jpeg", "webp");

    /** Image extensions in CLIP_benchmark's order (webp;png;jpg;jpeg). */
    public static final List<String> EVAL_IMAGE_EXTS = List.of("webp", "png", "jpg", "jpeg");

    public WdsSample {
        members = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(members));
        offsets = Map.copyOf(offsets);
        sizes = Map.copyOf(sizes);
    }

    /** The first of {@code exts} that this sample has as a member (read or only listed), or null. */
    public String firstListed(List<String> exts) {
        for (String e : exts) {
            if (offsets.containsKey(e) || members.containsKey(e)) {
                return e;
            }
        }
        return null;
    }

    public byte[] member(String ext) {
        return members.get(ext);
    }

    public boolean has(String ext) {
        return members.containsKey(ext);
    }

    /** The first of {@code exts} that this sample has, or null. */
    public String firstExt(List<String> exts) {
        for (String e : exts) {
            if (members.containsKey(e)) {
                return e;
            }
        }
        return null;
    }

    /**
     * A member decoded as UTF-8, or null when absent; bytes that are not UTF-8 are a one-line BadInputException
     * naming the shard and the sample (never silently U+FFFD).
     */
    public String text(String ext) {
        byte[] b = members.get(ext);
        if (b == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw org.qqt.io.BadInputException.inFile(shard, "sample " + key + ": its ." + ext
                    + " is not UTF-8 text; re-encode it as UTF-8");
        }
    }

    /**
     * The DataComp uid from the sample's {@code .json} member ({@code {"uid": "32 hex"}}), lower-cased; null when
     * the member is missing, unparsable or has no valid uid (callers count and skip such samples).
     */
    public Uid uid() {
        byte[] json = members.get("json");
        if (json == null) {
            return null;
        }
        // a streaming read of the top-level object (a tree per sample costs more than the rest of indexing);
        // same result as reading the tree: the last top-level "uid" wins, nested ones are not looked at
        try (com.fasterxml.jackson.core.JsonParser p = org.qqt.io.Json.mapper().getFactory().createParser(json)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return null;
            }
            String uid = null;
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken v = p.nextToken();
                if ("uid".equals(name)) {
                    uid = v == com.fasterxml.jackson.core.JsonToken.VALUE_STRING ? p.getText() : null;
                } else {
                    p.skipChildren();
                }
            }
            return uid == null ? null : Uid.parse(uid.toLowerCase(java.util.Locale.ROOT));
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
