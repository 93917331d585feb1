/** JMH micro-benchmarks of the codec and the ingest path. */
package org.gridmeter.bench;
