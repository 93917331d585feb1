/** Simulated meters: one per process, or a fleet in one process. */
package org.gridmeter.meter;
