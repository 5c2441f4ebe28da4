package io.floe.deploy.local;

import io.floe.schema.GlobalModel;
import io.floe.schema.Tensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over a global model's tensors (each tensor's name, then its encoded bytes, in the
 * model's order): two runs that publish the same weights print the same digest, so a version can
 * be compared across runs, releases or an auditor's replay without shipping the weights.
 */
public final class ModelDigest {
    private ModelDigest() {
    }

    /** Lower-case hex SHA-256 of {@code model}'s tensors. */
    public static String of(GlobalModel model) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        for (Tensor t : model.getTensors()) {
            sha.update(t.getName().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            ByteBuffer data = t.getData().duplicate();
            sha.update(data);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
