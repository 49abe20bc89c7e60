package org.qqt.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes that tie a derived result to its source (a checkpoint file, a run's config). */
public final class Hashes {
    private Hashes() {}

    /** SHA-256 of a file's bytes, in hex. */
    public static String sha256(Path file) {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw BadInputException.inFile(file, "cannot read: " + e.getMessage());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A short fingerprint of a JSON value (its compact form): 16 hex digits of its SHA-256. */
    public static String fingerprint(JsonNode node) {
        byte[] h = digest().digest(Json.compact(node).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(h, 0, 8);
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
