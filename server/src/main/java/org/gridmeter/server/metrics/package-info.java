/** The server's counters and their Prometheus exposition (Micrometer). */
package org.gridmeter.server.metrics;
