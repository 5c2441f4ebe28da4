package io.floe.core.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DriftAlgorithmTest {

    @Test
    void parsesEachAlgorithm() {
        assertThat(DriftAlgorithm.parse("fedavg")).isEqualTo(DriftAlgorithm.fedAvg());
        assertThat(DriftAlgorithm.parse("fedprox:mu=0.01")).isEqualTo(DriftAlgorithm.fedProx(0.01));
        assertThat(DriftAlgorithm.parse(" SCAFFOLD ")).isEqualTo(DriftAlgorithm.scaffold());
        assertThat(DriftAlgorithm.parse("fednova")).isEqualTo(DriftAlgorithm.fedNova(0));
        assertThat(DriftAlgorithm.parse("fednova:rho=0.9")).isEqualTo(DriftAlgorithm.fedNova(0.9));
        assertThat(DriftAlgorithm.parse("fedprox:mu=0.01").kind()).isEqualTo(DriftAlgorithm.Kind.FEDPROX);
    }

    @Test
    void toSpecReadsBack() {
        for (DriftAlgorithm a : List.of(DriftAlgorithm.fedAvg(), DriftAlgorithm.fedProx(0.1), DriftAlgorithm.scaffold(),
                DriftAlgorithm.fedNova(0), DriftAlgorithm.fedNova(0.5))) {
            assertThat(DriftAlgorithm.parse(a.toSpec())).isEqualTo(a);
        }
        assertThat(DriftAlgorithm.fedProx(0.01).toSpec()).isEqualTo("fedprox:mu=0.01");
    }

    @Test
    void parseErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedsgd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown drift algorithm 'fedsgd'; use fedavg, fedprox:mu=M, scaffold or fednova[:rho=R]");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox"))
                .hasMessage("fedprox needs mu, e.g. fedprox:mu=0.01");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=0"))
                .hasMessage("fedprox needs mu > 0 (mu = 0 is fedavg), was 0.0");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=-1"))
                .hasMessage("fedprox needs mu > 0 (mu = 0 is fedavg), was -1.0");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=small"))
                .hasMessage("drift algorithm option 'mu=small' in 'fedprox:mu=small' is not a number");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=nan"))
                .hasMessageContaining("is not a number");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=1e400"))
                .hasMessage("drift algorithm option 'mu=1e400' in 'fedprox:mu=1e400' is not finite");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu=0.1,mu=0.2"))
                .hasMessage("drift algorithm option 'mu' appears twice in 'fedprox:mu=0.1,mu=0.2'");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:"))
                .hasMessage("drift algorithm spec 'fedprox:' has a ':' but no options");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:mu"))
                .hasMessage("drift algorithm option 'mu' in 'fedprox:mu' is not key=value");
        assertThatThrownBy(() -> DriftAlgorithm.parse("scaffold:mu=0.1"))
                .hasMessage("unknown option 'mu' for scaffold in 'scaffold:mu=0.1'; scaffold takes no options");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fedprox:rho=0.1"))
                .hasMessage("unknown option 'rho' for fedprox in 'fedprox:rho=0.1'; allowed: mu");
        assertThatThrownBy(() -> DriftAlgorithm.parse("fednova:rho=1"))
                .hasMessage("fednova needs the local momentum rho in [0, 1), was 1.0");
        assertThatThrownBy(() -> DriftAlgorithm.parse(null)).hasMessage("drift algorithm spec is empty");
        assertThatThrownBy(() -> DriftAlgorithm.parse("")).hasMessage("drift algorithm spec is empty");
    }

    @Test
    void constructorRejectsParametersOfOtherAlgorithms() {
        assertThatThrownBy(() -> new DriftAlgorithm(DriftAlgorithm.Kind.SCAFFOLD, 0.1, 0))
                .hasMessage("scaffold takes no proximal mu (only fedprox does), was 0.1");
        assertThatThrownBy(() -> new DriftAlgorithm(DriftAlgorithm.Kind.FEDPROX, 0.1, 0.9))
                .hasMessage("fedprox takes no local momentum rho (only fednova does), was 0.9");
    }
}
