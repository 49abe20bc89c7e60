package org.qqt.synth;

import java.awt.Shape;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;

/**
 * The outline of each catalogue shape in the unit box [−1, 1]² (y down). Shapes are built fresh on every call
 * (java.awt geometry is mutable), which costs microseconds.
 */
final class ShapeGeometry {
    private ShapeGeometry() {}

    static Shape of(String name) {
        return switch (name) {
            case "circle" -> new Ellipse2D.Double(-1, -1, 2, 2);
            case "square" -> new Rectangle2D.Double(-0.85, -0.85, 1.7, 1.7);
            case "triangle" -> polygon(0, -1, 1, 0.85, -1, 0.85);
            case "star" -> star(5, 1.0, 0.42);
            case "cross" -> polygon(-0.3, -1, 0.3, -1, 0.3, -0.3, 1, -0.3, 1, 0.3, 0.3, 0.3, 0.3, 1, -0.3, 1,
                    -0.3, 0.3, -1, 0.3, -1, -0.3, -0.3, -0.3);
            case "ring" -> {
                Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
                a.subtract(new Area(new Ellipse2D.Double(-0.5, -0.5, 1, 1)));
                yield a;
            }
            case "diamond" -> polygon(0, -1, 0.8, 0, 0, 1, -0.8, 0);
            case "arrow" -> polygon(-1, -0.3, 0.1, -0.3, 0.1, -0.85, 1, 0, 0.1, 0.85, 0.1, 0.3, -1, 0.3);
            case "heart" -> heart();
            case "hexagon" -> regular(6, 0);
            case "pentagon" -> regular(5, -Math.PI / 2);
            case "crescent" -> {
                Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
                a.subtract(new Area(new Ellipse2D.Double(-0.45, -1.05, 1.9, 1.9)));
                yield a;
            }
            case "semicircle" -> {
                Area a = new Area(new Ellipse2D.Double(-1, -0.6, 2, 2));
                a.intersect(new Area(new Rectangle2D.Double(-1, -0.6, 2, 1)));
                yield a;
            }
            case "trapezoid" -> polygon(-0.45, -0.7, 0.45, -0.7, 1, 0.7, -1, 0.7);
            case "bolt" -> polygon(0.2, -1, -0.7, 0.15, -0.05, 0.15, -0.25, 1, 0.7, -0.2, 0.05, -0.2, 0.35, -1);
            case "tee" -> polygon(-1, -1, 1, -1, 1, -0.45, 0.28, -0.45, 0.28, 1, -0.28, 1, -0.28, -0.45, -1, -0.45);
            default -> throw new IllegalArgumentException("unknown shape " + name);
        };
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    private static Shape regular(int n, double phase) {
        double[] xy = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = phase + 2 * Math.PI * i / n;
            xy[2 * i] = Math.cos(a);
            xy[2 * i + 1] = Math.sin(a);
        }
        return polygon(xy);
    }

    private static Shape star(int points, double outer, double inner) {
        double[] xy = new double[4 * points];
        for (int i = 0; i < 2 * points; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double a = -Math.PI / 2 + Math.PI * i / points;
            xy[2 * i] = r * Math.cos(a);
            xy[2 * i + 1] = r * Math.sin(a) + 0.1;
        }
        return polygon(xy);
    }

    private static Shape heart() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, 1);
        p.curveTo(-0.9, 0.35, -1.2, -0.3, -0.85, -0.75);
        p.curveTo(-0.55, -1.1, -0.1, -0.95, 0, -0.5);
        p.curveTo(0.1, -0.95, 0.55, -1.1, 0.85, -0.75);
        p.curveTo(1.2, -0.3, 0.9, 0.35, 0, 1);
        p.closePath();
        return p;
    }
}
