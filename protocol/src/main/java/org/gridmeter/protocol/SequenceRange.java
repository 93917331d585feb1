package org.gridmeter.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sequence numbers {@code first..last}, inclusive, of one meter (unsigned 32-bit). A range never
 * wraps: a run that crosses 4294967295 → 0 is two ranges.
 */
public record SequenceRange(long first, long last) {

    public static final long MAX_SEQUENCE = 0xFFFF_FFFFL;

    public SequenceRange {
        if (first < 0 || last > MAX_SEQUENCE || first > last) {
            throw new IllegalArgumentException("sequence range: " + first + ".." + last
                    + " (expected: 0 <= first <= last <= 4294967295)");
        }
    }

    public boolean covers(long sequence) {
        return sequence >= first && sequence <= last;
    }

    /**
     * The fewest ranges that cover exactly {@code sequences[0..count)} (in any order, repeats
     * allowed), in ascending order: {@code 20, 30, 25} gives three single ranges, {@code 4294967295,
     * 0} two. Sorts the array's first {@code count} elements in place.
     */
    public static List<SequenceRange> covering(long[] sequences, int count) {
        Arrays.sort(sequences, 0, count);
        List<SequenceRange> ranges = new ArrayList<>();
        int i = 0;
        while (i < count) {
            long first = sequences[i];
            long last = first;
            while (++i < count && sequences[i] <= last + 1) {
                last = sequences[i];
            }
            ranges.add(new SequenceRange(first, last));
        }
        return ranges;
    }
}
