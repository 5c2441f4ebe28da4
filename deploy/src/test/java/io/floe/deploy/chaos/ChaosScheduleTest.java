package io.floe.deploy.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChaosScheduleTest {

    @Test
    void parsesABrokerOutage() {
        ChaosSchedule schedule = ChaosSchedule.parse(List.of("broker-outage:at=10s,for=90s"));

        assertThat(schedule.faults()).containsExactly(
                new Fault(Fault.Kind.BROKER_OUTAGE, Duration.ofSeconds(10), Duration.ofSeconds(90)));
        assertThat(schedule.plannedDowntime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(schedule.faults().get(0).end()).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void aTaskManagerLossIsReplacedAtOnceUnlessForIsGiven() {
        assertThat(ChaosSchedule.parse(List.of("taskmanager-loss:at=10s")).faults())
                .containsExactly(new Fault(Fault.Kind.TASKMANAGER_LOSS, Duration.ofSeconds(10), Duration.ZERO));
        assertThat(ChaosSchedule.parse(List.of("TaskManager-Loss:at=1.5s,for=500ms")).faults())
                .containsExactly(new Fault(Fault.Kind.TASKMANAGER_LOSS, Duration.ofMillis(1500), Duration.ofMillis(500)));
    }

    @Test
    void severalFaultsComeInOrderOfTheirStartAndTheirLengthsAddUp() {
        ChaosSchedule schedule = ChaosSchedule.parse(List.of("taskmanager-loss:at=2m,for=5s", "broker-outage:at=10s,for=90s",
                "taskmanager-loss:at=30s"));

        assertThat(schedule.faults()).extracting(Fault::at)
                .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(2));
        assertThat(schedule.plannedDowntime()).isEqualTo(Duration.ofSeconds(95));
    }

    @Test
    void aFaultPrintsAsTheOptionThatParsesBackToIt() {
        Fault fault = ChaosSchedule.parse(List.of("broker-outage:for=1500ms,at=1m")).faults().get(0);

        assertThat(fault).hasToString("broker-outage:at=60s,for=1500ms");
        assertThat(ChaosSchedule.parse(List.of(fault.toString())).faults()).containsExactly(fault);
    }

    @Test
    void noOptionIsACalmRun() {
        assertThat(ChaosSchedule.parse(List.of()).isEmpty()).isTrue();
        assertThat(ChaosSchedule.parse(null).plannedDowntime()).isZero();
    }

    @Test
    void errorsSayWhatIsWrongAndHowToWriteIt() {
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("network-partition:at=10s")))
                .hasMessageContaining("unknown fault 'network-partition'").hasMessageContaining("broker-outage, taskmanager-loss");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("broker-outage:at=10,for=90s")))
                .hasMessageContaining("at=10 is not a time").hasMessageContaining("10s, 1.5s, 500ms or 2m");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("broker-outage:at=10s")))
                .hasMessageContaining("needs a length above zero").hasMessageContaining("broker-outage:at=10s,for=90s");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("taskmanager-loss:for=5s")))
                .hasMessageContaining("say when with at=");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("taskmanager-loss:at=5s,every=10s")))
                .hasMessageContaining("unknown option 'every'");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("taskmanager-loss:at=5s,at=6s")))
                .hasMessageContaining("'at' appears twice");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("taskmanager-loss:at")))
                .hasMessageContaining("'at' is not key=value");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of(" ")))
                .hasMessageContaining("--chaos needs a fault");
    }

    @Test
    void anOutageAsLongAsTheSinksTransactionTimeoutIsRefused() {
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("broker-outage:at=10s,for=10m")))
                .hasMessageContaining("at most 9 minutes").hasMessageContaining("transaction-timeout rule");
        assertThat(ChaosSchedule.parse(List.of("broker-outage:at=10s,for=9m")).faults()).hasSize(1);
    }

    @Test
    void faultsOfOneKindMayNotOverlapButOfTwoKindsMay() {
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("broker-outage:at=10s,for=90s", "broker-outage:at=50s,for=10s")))
                .hasMessageContaining("overlap").hasMessageContaining("still failed at 50.0 s")
                .hasMessageContaining("after the first ends (100.0 s)");
        assertThatThrownBy(() -> ChaosSchedule.parse(List.of("taskmanager-loss:at=10s", "taskmanager-loss:at=10s")))
                .hasMessageContaining("overlap");

        assertThat(ChaosSchedule.parse(List.of("broker-outage:at=10s,for=90s", "broker-outage:at=100s,for=5s")).faults()).hasSize(2);
        assertThat(ChaosSchedule.parse(List.of("broker-outage:at=10s,for=90s", "taskmanager-loss:at=50s")).faults()).hasSize(2);
    }
}
