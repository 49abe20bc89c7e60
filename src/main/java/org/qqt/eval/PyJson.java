package org.qqt.eval;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Writes JSON values the way Python's {@code json.dumps} does (DataComp writes eval_results.jsonl with it), so
 * that lines written by qqt and by DataComp's evaluate.py look alike: floats as Python's repr (shortest digits
 * that read back to the same double; exponent form below 1e-4 and from 1e16, e.g. {@code 1e-05}), strings
 * ASCII-only with {@code \}{@code uXXXX} escapes.
 */
final class PyJson {
    private PyJson() {}

    /** Python's repr(float) for a finite double. */
    static String floatRepr(double x) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("not a finite number: " + x);
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal shortest = null;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == x) {
                shortest = r;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        String sign = shortest.signum() < 0 ? "-" : "";
        BigDecimal abs = shortest.abs().stripTrailingZeros();
        String digits = abs.unscaledValue().toString();
        int exp = digits.length() - 1 - abs.scale(); // x = d.ddd × 10^exp
        if (exp >= -4 && exp < 16) {
            String plain;
            if (exp >= digits.length() - 1) {
                plain = digits + "0".repeat(exp - (digits.length() - 1)) + ".0";
            } else if (exp >= 0) {
                plain = digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
            } else {
                plain = "0." + "0".repeat(-exp - 1) + digits;
            }
            return sign + plain;
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.format("%02d", Math.abs(exp));
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + e;
    }

    /** A JSON number (Python style) or null. */
    static String number(Double x) {
        return x == null ? "null" : floatRepr(x);
    }

    /** A JSON string literal as json.dumps(ensure_ascii=True) writes it. */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
