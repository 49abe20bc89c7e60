package org.qqt.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qqt.io.AtomicFiles;
import org.qqt.io.BadInputException;
import org.qqt.io.Json;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
 * {name: {dtype, shape, data_offsets}, "__metadata__": {string: string}}, then the raw little-endian tensors.
 * Readable from Python with {@code safetensors.numpy.load_file}. Only F32 tensors are written here.
 */
final class SafeTensors {
    private SafeTensors() {}

    /** Writes the arrays (float32) and string metadata to {@code file} atomically. */
    static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = Json.mapper().createObjectNode();
        header.set("__metadata__", Json.mapper().valueToTree(metadata));
        long offset = 0;
        for (var e : tensors.entrySet()) {
            NDArray a = e.getValue();
            if (a.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException(e.getKey() + " is " + a.getDataType() + ", expected float32");
            }
            long bytes = a.size() * 4;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Json.compact(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(head);
            for (NDArray a : tensors.values()) {
                writeLittleEndian(out, a);
            }
        });
    }

    private static void writeLittleEndian(OutputStream out, NDArray a) throws IOException {
        ByteBuffer b = a.toByteBuffer().order(ByteOrder.nativeOrder());
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            ByteBuffer le = ByteBuffer.allocate(b.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            le.asFloatBuffer().put(b.asFloatBuffer());
            b = le;
        }
        byte[] chunk = new byte[1 << 20];
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /** An open file: the header is parsed, tensors are read on demand. */
    static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, JsonNode> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        Reader(Path file) {
            this.file = file;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(len, 0);
                long n = len.flip().getLong();
                if (n <= 0 || n > 100_000_000 || 8 + n > channel.size()) {
                    throw BadInputException.inFile(file, "not a safetensors file (bad header length)");
                }
                ByteBuffer head = ByteBuffer.allocate((int) n);
                readFully(head, 8);
                dataStart = 8 + n;
                JsonNode root = Json.mapper().readTree(new String(head.array(), StandardCharsets.UTF_8));
                root.fields().forEachRemaining(e -> {
                    if (e.getKey().equals("__metadata__")) {
                        e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    } else {
                        entries.put(e.getKey(), e.getValue());
                    }
                });
            } catch (IOException e) {
                throw BadInputException.inFile(file, "cannot read checkpoint: " + e.getMessage());
            }
        }

        Map<String, String> metadata() {
            return metadata;
        }

        /** The tensors' names, in file order. */
        java.util.Set<String> names() {
            return java.util.Collections.unmodifiableSet(entries.keySet());
        }

        boolean has(String name) {
            return entries.containsKey(name);
        }

        /** Copies tensor {@code name} into {@code target}, which must have the same shape. */
        void readInto(String name, NDArray target) {
            JsonNode e = entries.get(name);
            if (e == null) {
                throw BadInputException.inFile(file, "checkpoint has no tensor " + name);
            }
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asLong();
            }
            if (!new Shape(shape).equals(target.getShape()) || !"F32".equals(e.get("dtype").asText())) {
                throw BadInputException.inFile(file, "tensor " + name + " is " + e.get("dtype").asText()
                        + new Shape(shape) + ", the model needs F32" + target.getShape());
            }
            long begin = e.get("data_offsets").get(0).asLong();
            long end = e.get("data_offsets").get(1).asLong();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
            try {
                readFully(b, dataStart + begin);
            } catch (IOException ex) {
                throw BadInputException.inFile(file, "cannot read tensor " + name + ": " + ex.getMessage());
            }
            b.flip();
            float[] v = new float[(int) (target.size())];
            b.asFloatBuffer().get(v);
            target.set(v);
        }

        private void readFully(ByteBuffer b, long position) throws IOException {
            long pos = position;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos);
                if (n < 0) {
                    throw new IOException("file ends early");
                }
                pos += n;
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel: nothing to flush
            }
        }
    }
}
