package org.qqt.figure5;

import java.util.List;

/** The parts of a Figure 5 report, rendered to markdown and HTML by {@link Figure5Report}. */
final class ReportDoc {
    private ReportDoc() {}

    /** A block of a section: paragraph, table, code or image. */
    interface Block {}

    /** A paragraph; **bold** and `code` are rendered in HTML too. */
    record Para(String text) implements Block {}

    record Table(List<String> head, List<List<String>> rows) implements Block {}

    record Code(String text) implements Block {}

    /** An image of the sweep directory (embedded in the HTML). */
    record Image(String alt, String file) implements Block {}

    record Section(String title, List<Block> blocks) {}
}
