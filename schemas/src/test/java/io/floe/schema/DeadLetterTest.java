package io.floe.schema;

import static io.floe.schema.SingleObjectRoundTrip.bytes;
import static io.floe.schema.SingleObjectRoundTrip.roundTrip;
import static io.floe.schema.SingleObjectRoundTrip.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    @Test
    void roundTripsInSingleObjectEncoding() {
        // Prepare
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("floe.updates")
                .setPartition(2)
                .setOffset(9_876_543_210L)
                .setKey(utf8("wdbc-logreg"))
                .setPayload(bytes(0xC3, 0x01, 0xFF, 0x00, 0x7F))
                .setReason("UNDECODABLE")
                .setDetail("bad header")
                .setModelId("wdbc-logreg")
                .setClientId("alice")
                .setUpdateId("u-1")
                .setRejectedAt(Instant.ofEpochMilli(1_700_001_000_000L))
                .build();

        // Execute
        DeadLetter decoded = roundTrip(DeadLetter.getEncoder(), DeadLetter.getDecoder(), letter);

        // Assert
        assertThat(decoded).isNotSameAs(letter).isEqualTo(letter);
        assertThat(decoded.getOffset()).isEqualTo(9_876_543_210L);
        assertThat(decoded.getPayload()).isEqualTo(bytes(0xC3, 0x01, 0xFF, 0x00, 0x7F));
    }

    @Test
    void roundTripsWithOnlyRequiredFields() {
        // Prepare: a value that could not be decoded has no ids, and a tombstone has no payload
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic("floe.control")
                .setPartition(0)
                .setOffset(0L)
                .setReason("UNDECODABLE")
                .setDetail("empty value")
                .setRejectedAt(Instant.ofEpochMilli(5L))
                .build();

        // Execute
        DeadLetter decoded = roundTrip(DeadLetter.getEncoder(), DeadLetter.getDecoder(), letter);

        // Assert
        assertThat(decoded).isEqualTo(letter);
        assertThat(decoded.getKey()).isNull();
        assertThat(decoded.getPayload()).isNull();
        assertThat(decoded.getModelId()).isNull();
    }
}
