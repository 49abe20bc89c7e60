package org.qqt.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The thinning of long training curves: window means, unusable points dropped. */
class TrainingCurvesChartTest {
    @Test
    void longCurvesBecomeWindowMeansAndUnplottablePointsAreDropped() {
        int n = 1000;
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i; // x = 0 cannot be drawn on a log axis
            y[i] = i == 5 ? Double.NaN : i;
        }
        double[][] t = TrainingCurvesChart.thin(x, y);
        // 998 usable points, windows of 4: 250 means, each ending at its window's last x
        assertEquals(250, t[0].length);
        assertEquals((1 + 2 + 3 + 4) / 4.0, t[1][0], 1e-12);
        assertEquals(4, t[0][0]);
        assertEquals((6 + 7 + 8 + 9) / 4.0, t[1][1], 1e-12);
        assertEquals(999, t[0][249]);
        double[][] shortCurve = TrainingCurvesChart.thin(new double[] {10, 20}, new double[] {3, 2});
        assertArrayEquals(new double[] {10, 20}, shortCurve[0]);
        assertArrayEquals(new double[] {3, 2}, shortCurve[1]);
    }
}
