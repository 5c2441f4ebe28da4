package io.floe.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The rows one party collects while a {@link NiidPartition} deals: a growable {@code int} list, so
 * dealing 60,000 rows boxes none of them.
 */
final class PartyRows {
    private int[] values = new int[16];
    private int size;

    static PartyRows[] array(int count) {
        PartyRows[] lists = new PartyRows[count];
        for (int i = 0; i < count; i++) {
            lists[i] = new PartyRows();
        }
        return lists;
    }

    static int minSize(PartyRows[] lists) {
        int min = Integer.MAX_VALUE;
        for (PartyRows l : lists) {
            min = Math.min(min, l.size);
        }
        return min;
    }

    static List<int[]> toArrays(PartyRows[] lists) {
        List<int[]> out = new ArrayList<>(lists.length);
        for (PartyRows l : lists) {
            out.add(Arrays.copyOf(l.values, l.size));
        }
        return out;
    }

    int size() {
        return size;
    }

    void addRange(int[] source, int from, int to) {
        int length = to - from;
        if (size + length > values.length) {
            values = Arrays.copyOf(values, Math.max(values.length * 2, size + length));
        }
        System.arraycopy(source, from, values, size, length);
        size += length;
    }
}
