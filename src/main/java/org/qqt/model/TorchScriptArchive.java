package org.qqt.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.qqt.io.AtomicFiles;

/**
 * Writes a TorchScript archive (the zip that {@code torch.jit.save} writes and libtorch loads) for one module
 * class {@code __torch__.Op} without parameters, from TorchScript source: libtorch compiles the source at load
 * time, so no Python is needed. Entries, all under {@code <name>/}: {@code code/__torch__.py} (the source),
 * {@code data.pkl} (the pickled module object: class {@code __torch__.Op} with its {@code training} flag),
 * {@code constants.pkl} (an empty tuple), {@code version} and {@code .data/version} (file format 8) and
 * {@code byteorder}. Entries are stored, not deflated.
 */
final class TorchScriptArchive {
    private static final String FORMAT_VERSION = "8";

    private TorchScriptArchive() {}

    /** The source of resource {@code torchscript/<resource>} with each {@code key} replaced by its value. */
    static String source(String resource, String... replacements) {
        String s = resource(TorchScriptArchive.class, "torchscript/" + resource);
        for (int i = 0; i < replacements.length; i += 2) {
            s = s.replace(replacements[i], replacements[i + 1]);
        }
        return s;
    }

    /** The UTF-8 text of resource {@code resource} of {@code owner}'s package. */
    static String resource(Class<?> owner, String resource) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource + " of " + owner.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code dir/<name>.pt} (atomically) and returns its path. */
    static Path write(Path dir, String name, String source) {
        Path file = dir.resolve(name + ".pt");
        AtomicFiles.write(file, out -> zip(out, name, source));
        return file;
    }

    private static void zip(OutputStream out, String name, String source) throws IOException {
        ZipOutputStream z = new ZipOutputStream(out);
        put(z, name + "/data.pkl", dataPickle());
        put(z, name + "/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
        put(z, name + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // PROTO 2, EMPTY_TUPLE, STOP
        put(z, name + "/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        put(z, name + "/.data/version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
        put(z, name + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        z.finish();
    }

    /** Pickle (protocol 2) of an {@code __torch__.Op} object whose state is {"training": True}. */
    private static byte[] dataPickle() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2); // PROTO 2
        b.writeBytes("c__torch__\nOp\n".getBytes(StandardCharsets.US_ASCII)); // GLOBAL
        b.write(')'); // EMPTY_TUPLE
        b.write(0x81); // NEWOBJ
        b.write('}'); // EMPTY_DICT
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        b.write('X'); // BINUNICODE, 4-byte little-endian length
        b.write(key.length);
        b.write(0);
        b.write(0);
        b.write(0);
        b.writeBytes(key);
        b.write(0x88); // NEWTRUE
        b.write('s'); // SETITEM
        b.write('b'); // BUILD
        b.write('.'); // STOP
        return b.toByteArray();
    }

    private static void put(ZipOutputStream z, String entry, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(entry);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(0);
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }
}
