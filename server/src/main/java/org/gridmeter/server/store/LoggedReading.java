package org.gridmeter.server.store;

import org.gridmeter.server.usage.StoredReading;

/** A stored reading and its meter, as the reading log holds it. */
public record LoggedReading(long meterId, StoredReading reading) {
}
