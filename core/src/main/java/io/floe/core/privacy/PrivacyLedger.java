package io.floe.core.privacy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A model's central-DP ledger between rounds: the noisy rounds so far (as accountant phases), the
 * current clip bound, and whether the budget is exhausted. Kept in keyed state as bytes.
 */
public final class PrivacyLedger {
    private final RdpAccountant accountant;
    private final double clipNorm;
    private final boolean exhausted;

    private PrivacyLedger(RdpAccountant accountant, double clipNorm, boolean exhausted) {
        this.accountant = accountant;
        this.clipNorm = clipNorm;
        this.exhausted = exhausted;
    }

    public static PrivacyLedger start(double clipNorm) {
        return new PrivacyLedger(new RdpAccountant(), clipNorm, false);
    }

    /**
     * The ledger a model's newest published report describes, for a job that starts without state
     * and continues the model from the topics: {@code rounds} noisy rounds at the report's (q, z),
     * the clip bound it names, and its exhausted flag. A report names only the last round's z; if
     * an earlier spec ran with less noise, {@code rounds} steps at that z would spend less than the
     * report says, so z is lowered (bisection) until the rebuilt epsilon at {@code delta} is at
     * least {@code reportedEpsilon}: the rebuilt ledger never owes less privacy than was spent.
     *
     * @param rounds noisy rounds so far (the entry's {@code rounds}), 0 or more
     * @param reportedEpsilon the entry's {@code epsilon} at {@code delta}
     */
    public static PrivacyLedger resumed(long rounds, double sampleRate, double noiseMultiplier, double clipNorm,
            boolean exhausted, double reportedEpsilon, double delta) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, got " + rounds);
        }
        RdpAccountant accountant = new RdpAccountant();
        if (rounds > 0) {
            double z = noiseMultiplier;
            if (RdpAccountant.epsilon(sampleRate, z, rounds, delta) < reportedEpsilon) {
                double lo = z / 1024;
                double hi = z;
                for (int i = 0; i < 100 && RdpAccountant.epsilon(sampleRate, lo, rounds, delta) < reportedEpsilon; i++) {
                    lo /= 2;
                }
                for (int i = 0; i < 60; i++) {
                    double mid = (lo + hi) / 2;
                    if (RdpAccountant.epsilon(sampleRate, mid, rounds, delta) >= reportedEpsilon) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                z = lo;
            }
            accountant.step(sampleRate, z, rounds);
        }
        return new PrivacyLedger(accountant, clipNorm, exhausted);
    }

    /** The ledger after one more round with sampling rate q and the round's noise multiplier. */
    public PrivacyLedger afterRound(double sampleRate, double noiseMultiplier, double nextClipNorm) {
        RdpAccountant next = copy();
        next.step(sampleRate, noiseMultiplier, 1);
        return new PrivacyLedger(next, nextClipNorm, false);
    }

    /** Epsilon this ledger would report after one more round. */
    public PrivacySpent spentAfterRound(double sampleRate, double noiseMultiplier, double delta) {
        return copy().step(sampleRate, noiseMultiplier, 1).privacySpent(delta);
    }

    public PrivacyLedger markExhausted() {
        return new PrivacyLedger(copy(), clipNorm, true);
    }

    public PrivacySpent spent(double delta) {
        return accountant.privacySpent(delta);
    }

    public long rounds() {
        return accountant.steps();
    }

    public double clipNorm() {
        return clipNorm;
    }

    public boolean exhausted() {
        return exhausted;
    }

    private RdpAccountant copy() {
        RdpAccountant a = new RdpAccountant();
        for (RdpAccountant.Phase p : accountant.phases()) {
            a.step(p.sampleRate(), p.noiseMultiplier(), p.steps());
        }
        return a;
    }

    public byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(1);
            out.writeDouble(clipNorm);
            out.writeBoolean(exhausted);
            out.writeInt(accountant.phases().size());
            for (RdpAccountant.Phase p : accountant.phases()) {
                out.writeDouble(p.sampleRate());
                out.writeDouble(p.noiseMultiplier());
                out.writeLong(p.steps());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PrivacyLedger decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readByte();
            if (version != 1) {
                throw new IllegalArgumentException("unknown privacy ledger format " + version);
            }
            double clip = in.readDouble();
            boolean exhausted = in.readBoolean();
            int n = in.readInt();
            RdpAccountant a = new RdpAccountant();
            for (int i = 0; i < n; i++) {
                a.step(in.readDouble(), in.readDouble(), in.readLong());
            }
            return new PrivacyLedger(a, clip, exhausted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
