package io.floe.deploy.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.floe.core.wire.TopicNames;
import java.util.List;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/** The ACL table of {@link FloeAcls}, without a broker ({@link KafkaAclsITCase} checks a broker enforces it). */
class FloeAclsTest {
    private final TopicNames topics = TopicNames.defaults();
    private final FloeAcls acls = FloeAcls.forTopics(topics);

    @Test
    void trainerWritesUpdatesAndHeartbeatsAndReadsModelsOnly() {
        List<AclBinding> trainer = acls.bindings(FloePrincipal.TRAINER);
        assertThat(topicsWith(trainer, AclOperation.WRITE)).containsExactlyInAnyOrder(topics.updates(), topics.clients());
        assertThat(topicsWith(trainer, AclOperation.READ)).containsExactly(topics.models());
        assertThat(trainer).allSatisfy(b -> {
            assertThat(b.pattern().resourceType()).isEqualTo(ResourceType.TOPIC);
            assertThat(b.entry().principal()).isEqualTo("User:floe-trainer");
            assertThat(b.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
        });
    }

    @Test
    void operatorWritesControlOnly() {
        List<AclBinding> operator = acls.bindings(FloePrincipal.OPERATOR);
        assertThat(topicsWith(operator, AclOperation.WRITE)).containsExactly(topics.control());
        assertThat(topicsWith(operator, AclOperation.READ)).containsExactlyInAnyOrder(topics.models(), topics.reports());
    }

    @Test
    void jobReadsItsInputsWritesItsOutputsAndOwnsItsGroupAndTransactionsByPrefix() {
        List<AclBinding> job = acls.jobPrefix("floe-agg").bindings(FloePrincipal.JOB);
        assertThat(topicsWith(job, AclOperation.WRITE))
                .containsExactlyInAnyOrder(topics.models(), topics.reports(), topics.deadLetter(), topics.chunkScores());
        assertThat(topicsWith(job, AclOperation.READ)).contains(topics.control(), topics.updates(), topics.clients(),
                topics.chunkScores());
        assertThat(job).filteredOn(b -> b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID).singleElement()
                .satisfies(b -> {
                    assertThat(b.pattern().name()).isEqualTo("floe-agg");
                    assertThat(b.pattern().patternType()).isEqualTo(PatternType.PREFIXED);
                    assertThat(b.entry().operation()).isEqualTo(AclOperation.WRITE);
                });
        assertThat(job).filteredOn(b -> b.pattern().resourceType() == ResourceType.GROUP).singleElement()
                .satisfies(b -> assertThat(b.entry().operation()).isEqualTo(AclOperation.READ));
    }

    @Test
    void topicPrefixCarriesOver() {
        FloeAcls prefixed = FloeAcls.forTopics(TopicNames.withPrefix("lab."));
        assertThat(prefixed.bindings()).allSatisfy(b -> {
            if (b.pattern().resourceType() == ResourceType.TOPIC) {
                assertThat(b.pattern().name()).startsWith("lab.");
            }
        });
    }

    @Test
    void anEmptyJobPrefixIsRefused() {
        assertThatThrownBy(() -> acls.jobPrefix("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--group-id");
    }

    private static List<String> topicsWith(List<AclBinding> bindings, AclOperation op) {
        return bindings.stream()
                .filter(b -> b.pattern().resourceType() == ResourceType.TOPIC && b.entry().operation() == op)
                .map(b -> b.pattern().name())
                .toList();
    }
}
