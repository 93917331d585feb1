/**
 * The single writer: one thread that owns the store's write connection and every meter's state,
 * applies the rules to each datagram, commits in groups ({@link org.gridmeter.server.writer.IngestWriter#commit
 * where a reading becomes durable}), and only then sends the ACKs; its schedule is the pure
 * {@link org.gridmeter.server.writer.WriterSchedule}.
 */
package org.gridmeter.server.writer;
