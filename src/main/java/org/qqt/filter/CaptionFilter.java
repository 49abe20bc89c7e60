package org.qqt.filter;

/**
 * The caption part of DataComp's basic filter: keep a row when its caption has at least {@code minWords}
 * whitespace-separated words and at least {@code minChars} characters (code points). DataComp's basic filter is
 * words &gt; 2 and chars &gt; 5, i.e. {@link #BASIC} = (3, 6). 0 disables a condition.
 */
public record CaptionFilter(int minWords, int minChars) {
    public static final CaptionFilter NONE = new CaptionFilter(0, 0);
    public static final CaptionFilter BASIC = new CaptionFilter(3, 6);

    public CaptionFilter {
        if (minWords < 0 || minChars < 0) {
            throw new org.qqt.io.BadInputException("caption minimums must be ≥ 0, got words " + minWords + ", chars " + minChars);
        }
    }

    public boolean active() {
        return minWords > 0 || minChars > 0;
    }

    /** The same rule in Java (the SQL form is what the filter runs; this one pins it in tests). */
    public boolean keeps(String caption) {
        if (caption == null) {
            return !active();
        }
        String s = caption.strip();
        int words = s.isEmpty() ? 0 : s.split("[ \\t\\n\\x0B\\f\\r]+").length;
        return words >= minWords && caption.codePointCount(0, caption.length()) >= minChars;
    }
}
