package org.qqt.data;

import java.util.Map;

/**
 * A small subset of Python's {@code html.unescape}: numeric entities ({@code &#39;}, {@code &#x27;}) and the
 * named ones that occur in web captions. Unknown names are left as they are.
 */
final class HtmlEntities {
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", "\u00a0"), Map.entry("ndash", "\u2013"),
            Map.entry("mdash", "\u2014"), Map.entry("hellip", "\u2026"), Map.entry("copy", "\u00a9"),
            Map.entry("reg", "\u00ae"), Map.entry("trade", "\u2122"), Map.entry("lsquo", "\u2018"),
            Map.entry("rsquo", "\u2019"), Map.entry("ldquo", "\u201c"), Map.entry("rdquo", "\u201d"),
            Map.entry("eacute", "\u00e9"), Map.entry("deg", "\u00b0"), Map.entry("times", "\u00d7"));

    private HtmlEntities() {}

    static String unescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (amp >= 0) {
            out.append(s, i, amp);
            int semi = s.indexOf(';', amp + 1);
            String replacement = null;
            if (semi > amp + 1 && semi - amp <= 12) {
                replacement = decode(s.substring(amp + 1, semi));
            }
            if (replacement != null) {
                out.append(replacement);
                i = semi + 1;
            } else {
                out.append('&');
                i = amp + 1;
            }
            amp = s.indexOf('&', i);
        }
        out.append(s, i, s.length());
        return out.toString();
    }

    private static String decode(String name) {
        if (name.startsWith("#")) {
            try {
                int cp = (name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X'))
                        ? Integer.parseInt(name.substring(2), 16) : Integer.parseInt(name.substring(1));
                if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                    return "\uFFFD";
                }
                return new String(Character.toChars(cp));
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return NAMED.get(name);
    }
}
