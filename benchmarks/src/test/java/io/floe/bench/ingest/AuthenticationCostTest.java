package io.floe.bench.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthenticationCostTest {
    private static Map<String, Object> row(String name, double mbps) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("case", name);
        r.put("floeMBps", mbps);
        return r;
    }

    @Test
    void eachSignedCaseIsSetAgainstTheUnsignedOneJustBeforeItAndPairsAreAveraged() {
        String report = IngestReport.authenticationCost(List.of(row("d=10M K=32 p=2", 100), row("d=10M K=32 p=2 signed", 99),
                row("d=1M K=32 p=1", 40), row("d=10M K=32 p=2", 120), row("d=10M K=32 p=2 signed", 114)));

        assertThat(report).contains("floe 99.0 MB/s signed vs 100.0 unsigned just before (0.99)")
                .contains("floe 114.0 MB/s signed vs 120.0 unsigned just before (0.95)")
                .contains("over 2 pairs: floe 106.5 MB/s signed vs 110.0 unsigned (0.968)")
                .doesNotContain("vs 40.0");
        assertThat(IngestReport.authenticationCost(List.of(row("d=10M K=32 p=2 signed", 99)))).isEmpty();
    }
}
