/** UDP ingest: the Netty bootstrap, a thin datagram handler, the checks before queueing, and the single writer. */
package org.gridmeter.server.ingest;
