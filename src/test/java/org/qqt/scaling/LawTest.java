package org.qqt.scaling;

import static org.qqt.testutil.Approx.assertRel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qqt.io.Json;

class LawTest {
    private static final double E = 12_800_000;

    private static JsonNode reference() throws Exception {
        try (InputStream in = LawTest.class.getResourceAsStream("/reference/locuslab-single-pool.json")) {
            return Json.mapper().readTree(in);
        }
    }

    @Test
    void referenceFormMatchesLocuslabFuncEffectiveUtilityEverywhere() throws Exception {
        int checked = 0;
        for (JsonNode pool : reference().get("single_pool")) {
            Law law = new Law(LawForm.REFERENCE, pool.get("a").asDouble(), pool.get("d").asDouble(), 100_000);
            UtilitySchedule s = UtilitySchedule.pool(pool.get("b").asDouble(), pool.get("tau").asDouble(),
                    Objective.UTILITY);
            double spe = pool.get("samples_per_epoch").asDouble();
            for (JsonNode v : pool.get("values")) {
                double got = law.error(v.get("samples_seen").asDouble(), spe, s);
                assertRel(v.get("func_effective_utility").asDouble(), got, 1e-9,
                        pool.get("name").asText() + " @ " + v.get("samples_seen"));
                checked++;
            }
        }
        assertTrue(checked >= 50, "pinned " + checked + " values");
    }

    @Test
    void effectiveDataMatchesLocuslabFuncEffectiveDataEverywhere() throws Exception {
        int checked = 0;
        for (JsonNode pool : reference().get("single_pool")) {
            // the reference adds d at the end for effective data, whichever utility form is chosen
            Law law = new Law(LawForm.REFERENCE, pool.get("a").asDouble(), pool.get("d").asDouble(), 100_000)
                    .forObjective(Objective.EFFECTIVE_DATA);
            UtilitySchedule s = UtilitySchedule.pool(pool.get("b").asDouble(), pool.get("tau").asDouble(),
                    Objective.EFFECTIVE_DATA);
            double spe = pool.get("samples_per_epoch").asDouble();
            for (JsonNode v : pool.get("values")) {
                double got = law.error(v.get("samples_seen").asDouble(), spe, s);
                assertRel(v.get("func_effective_data").asDouble(), got, 1e-9, pool.get("name").asText());
                checked++;
            }
        }
        assertTrue(checked >= 50, "pinned " + checked + " values");
    }

    @Test
    void additiveAndReferenceFormsAgreeWithinTheFirstEpochAndDifferAfter() {
        UtilitySchedule s = UtilitySchedule.pool(-0.15, 4.27, Objective.UTILITY);
        Law add = new Law(LawForm.ADDITIVE, 0.022, 0.1, 100_000);
        Law ref = new Law(LawForm.REFERENCE, 0.022, 0.1, 100_000);
        assertEquals(add.error(6.4e6, E, s), ref.error(6.4e6, E, s), 1e-15);
        // after the first epoch the reference multiplies d by ratios < 1: a lower error
        assertTrue(ref.error(64e6, E, s) < add.error(64e6, E, s));
        double single = Math.pow(0.022 * 6.4e6 / 1e5, -0.15) + 0.1;
        assertEquals(single, add.error(6.4e6, E, s), 1e-15);
    }

    @Test
    void curveIsContinuousAtEpochBoundaries() {
        for (LawForm form : LawForm.values()) {
            for (Objective obj : Objective.values()) {
                Law law = new Law(form, 0.022, 0.1, 100_000).forObjective(obj);
                UtilitySchedule s = UtilitySchedule.pool(-0.18, 4.36, obj);
                for (int k = 1; k <= 12; k++) {
                    double at = law.error(k * E, E, s);
                    assertEquals(at, law.error(k * E - 1, E, s), 1e-7, form + "/" + obj + " left of epoch " + k);
                    assertEquals(at, law.error(k * E + 1, E, s), 1e-7, form + "/" + obj + " right of epoch " + k);
                }
            }
        }
    }

    @Test
    void infiniteHalfLifeGivesThePlainPowerLaw() {
        UtilitySchedule s = UtilitySchedule.pool(-0.12, Double.POSITIVE_INFINITY, Objective.UTILITY);
        Law law = new Law(LawForm.ADDITIVE, 0.03, 0.05, 100_000);
        for (double samples : new double[] {1e6, 12.8e6, 64e6, 640e6, 6.4e9}) {
            double plain = Math.pow(0.03 * samples / 1e5, -0.12) + 0.05;
            assertRel(plain, law.error(samples, E, s), 1e-12, "S=" + samples);
        }
    }

    @Test
    void repetitionHurtsAHighUtilityPoolMoreThanItsFreshCurvePredicts() {
        UtilitySchedule s = UtilitySchedule.pool(-0.18, 4.36, Objective.UTILITY);
        UtilitySchedule fresh = UtilitySchedule.pool(-0.18, Double.POSITIVE_INFINITY, Objective.UTILITY);
        Law law = new Law(LawForm.ADDITIVE, 0.022, 0.1, 100_000);
        assertTrue(law.error(640e6, E, s) > law.error(640e6, E, fresh) + 0.01);
        assertTrue(law.error(640e6, E, s) < law.error(64e6, E, s), "more samples still help");
    }

    @Test
    void oneSamplePoolMixtureEqualsThePool() {
        PoolParams p = new PoolParams("top0-10", E, -0.18, 4.36);
        for (Objective obj : Objective.values()) {
            Law law = new Law(LawForm.ADDITIVE, 0.022, 0.1, 100_000).forObjective(obj);
            UtilitySchedule single = UtilitySchedule.pool(p.b(), p.tau(), obj);
            UtilitySchedule mix = Mixture.of(List.of(p)).schedule(obj);
            for (double samples : new double[] {1.6e6, 32e6, 128e6, 640e6}) {
                assertEquals(law.error(samples, E, single), law.error(samples, E, mix), 1e-14, obj + " S=" + samples);
            }
        }
    }

    @Test
    void twoIdenticalPoolsEqualOnePoolOfDoubleSizeWithDoubledHalfLife() {
        PoolParams p = new PoolParams("x", E, -0.15, 3.09);
        PoolParams q = new PoolParams("y", E, -0.15, 3.09);
        for (Objective obj : Objective.values()) {
            for (LawForm form : LawForm.values()) {
                Law law = new Law(form, 0.022, 0.1, 100_000).forObjective(obj);
                UtilitySchedule mix = Mixture.of(List.of(p, q)).schedule(obj);
                UtilitySchedule big = UtilitySchedule.pool(p.b(), 2 * p.tau(), obj);
                for (double samples : new double[] {3.2e6, 32e6, 128e6, 640e6}) {
                    assertEquals(law.error(samples, 2 * E, big), law.error(samples, 2 * E, mix), 1e-13,
                            form + "/" + obj + " S=" + samples);
                }
            }
        }
    }

    @Test
    void zeroSamplesGiveTheIrreducibleError() {
        Law law = new Law(LawForm.REFERENCE, 0.022, 0.1, 100_000);
        assertEquals(0.1, law.error(0, E, UtilitySchedule.pool(-0.1, 3, Objective.UTILITY)));
    }
}
