package org.qqt.data;

/** A stand-in tokenizer for loader tests: SOT=1, one id per character (3 + char % 97), EOT=2, zero padded. */
final class FakeTokenizer implements TextTokenizer {
    @Override
    public int[] encode(String text, int contextLength) {
        int[] out = new int[contextLength];
        out[0] = 1;
        int n = Math.min(text.length(), contextLength - 2);
        for (int i = 0; i < n; i++) {
            out[i + 1] = 3 + text.charAt(i) % 97;
        }
        out[n + 1] = 2;
        return out;
    }

    @Override
    public int vocabSize() {
        return 100;
    }

    @Override
    public int eotId() {
        return 2;
    }
}
