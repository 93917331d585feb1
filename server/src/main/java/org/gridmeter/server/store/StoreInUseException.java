package org.gridmeter.server.store;

import java.sql.SQLException;

/** Another server is writing to this store: there is one writer per store. */
public final class StoreInUseException extends SQLException {

    StoreInUseException(String store, String giveThisOne) {
        super("another GridMeter server is writing to " + store + ": stop it, or give this one " + giveThisOne
                + " of its own");
    }

    StoreInUseException(String message) {
        super(message);
    }
}
