package org.gridmeter.server.cluster;

import java.sql.SQLException;
import java.util.List;

/** The fencing check refused a commit: another node holds these partitions now (docs/scaling.md). */
public final class FencedException extends SQLException {
    private static final long serialVersionUID = 1L;

    private final transient List<Integer> lost;

    FencedException(List<Integer> lost) {
        super("this node no longer holds partitions " + lost + ": another node took them over");
        this.lost = List.copyOf(lost);
    }

    public List<Integer> lost() {
        return lost;
    }
}
