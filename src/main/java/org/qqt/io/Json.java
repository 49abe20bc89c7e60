package org.qqt.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * JSON and YAML for configs, params and run records. Unknown keys are errors (a typo in a config must
 * not be silently ignored); the message names the file and the key.
 */
public final class Json {
    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));
    /** Built once: compact() runs per sample (WorldWriter) and per step (MetricsLog). */
    private static final ObjectWriter COMPACT = JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    private static ObjectMapper configure(ObjectMapper m) {
        return m.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
                .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
                .configure(SerializationFeature.INDENT_OUTPUT, true);
    }

    /** The shared JSON mapper (thread-safe once configured). */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** One-line JSON, e.g. for JSONL records and machine-readable stdout. */
    public static String compact(Object value) {
        try {
            return COMPACT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pretty(Object value) {
        try {
            return JSON.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a .json, .yaml or .yml file into {@code type}; any problem is a one-line BadInputException. */
    public static <T> T read(Path file, Class<T> type) {
        ObjectMapper m = isYaml(file) ? YAML : JSON;
        try {
            return m.readValue(Files.readAllBytes(file), type);
        } catch (NoSuchFileException e) {
            throw BadInputException.inFile(file, "no such file");
        } catch (JsonProcessingException e) {
            throw BadInputException.inFile(file, describe(e));
        } catch (java.io.CharConversionException | java.nio.charset.CharacterCodingException e) {
            throw BadInputException.inFile(file, "not UTF-8 text; save it as UTF-8");
        } catch (IOException e) {
            String fix = DiskErrors.userFix(e);
            throw BadInputException.inFile(file, fix != null ? fix : "cannot read: " + e.getMessage());
        }
    }

    public static JsonNode readTree(Path file) {
        return read(file, JsonNode.class);
    }

    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, pretty(value));
    }

    private static boolean isYaml(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** Jackson's messages span lines and mention Java types; keep the first line, which names the key. */
    static String describe(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown key \"" + u.getPropertyName() + "\" (known: " + u.getKnownPropertyIds() + ")";
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
            String key = f.getPath().isEmpty() ? "?" : f.getPath().get(f.getPath().size() - 1).getFieldName();
            String allowed = f.getTargetType() != null && f.getTargetType().isEnum()
                    ? " (allowed: " + java.util.Arrays.toString(f.getTargetType().getEnumConstants()) + ")" : "";
            return "bad value '" + f.getValue() + "' for key \"" + key + "\"" + allowed;
        }
        var loc = e.getLocation();
        String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
        return plain(msg.lines().findFirst().orElse(msg)) + where;
    }

    /** Jackson's wording of common problems, in the user's terms (no feature flags or Java types). */
    private static String plain(String m) {
        if (m.contains("CharConversionException") || m.contains("Invalid UTF-8")) {
            return "not UTF-8 text; save it as UTF-8";
        }
        if (m.startsWith("No content to map")) {
            return "empty file; expected a JSON or YAML object";
        }
        if (m.startsWith("Non-standard token") || m.contains("ALLOW_NON_NUMERIC_NUMBERS")) {
            return "NaN and Infinity are not numbers in JSON; write a finite number";
        }
        if (m.startsWith("Unexpected end-of-input") || m.contains("end-of-input")) {
            return "the file ends early (truncated?); restore it or write it again";
        }
        if (m.startsWith("Cannot construct instance") || m.startsWith("Cannot deserialize")) {
            return "wrong structure: " + m.replaceAll("`[^`]*\\.([A-Za-z0-9_$]+)`", "$1")
                    .replaceAll("\\b(java|com|org)\\.[\\w.$]+", "value");
        }
        return m.replace("[Source: REDACTED", "").replaceAll("\\b(java|com|org)\\.[\\w.$]+\\.", "");
    }
}
